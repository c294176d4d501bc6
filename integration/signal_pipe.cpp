#include "signal_pipe.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include <atomic>
#include <string_view>
#include <utility>

namespace smc::proxy {
namespace {

// The write end of the pipe, for the handler. A signal handler can reach nothing else, so
// this one process-wide value is unavoidable; -1 when no SignalPipe exists.
std::atomic<int> g_signal_write_fd{-1};

extern "C" void HandleSignal(int signo) {
  const int saved_errno = errno;
  const int fd = g_signal_write_fd.load(std::memory_order_relaxed);
  // A full pipe already holds pending signals: dropping this byte loses nothing that
  // matters (a reload or a stop is already queued).
  if (fd >= 0) WakeupPipe::NotifyFd(fd, static_cast<unsigned char>(signo));
  errno = saved_errno;
}

}  // namespace

std::unique_ptr<SignalPipe> SignalPipe::Create(su_root_t* root, const std::vector<int>& signals,
                                               Callback callback, std::string* error) {
  if (g_signal_write_fd.load() >= 0) {
    *error = "a signal pipe exists already";
    return nullptr;
  }
  std::unique_ptr<SignalPipe> sp(new SignalPipe());
  sp->callback_ = std::move(callback);
  SignalPipe* raw = sp.get();
  sp->pipe_ = WakeupPipe::Create(
      root,
      [raw](std::string_view bytes) {
        // Each signal once, in the order of first arrival: a burst of SIGHUPs while one
        // reload runs is one more reload, not many (each reload reads the file as it is).
        bool seen[256] = {};
        std::vector<int> order;
        for (char c : bytes) {
          const unsigned char signo = static_cast<unsigned char>(c);
          if (!seen[signo]) {
            seen[signo] = true;
            order.push_back(signo);
          }
        }
        for (int signo : order) raw->callback_(signo);
      },
      "signal pipe", error);
  if (!sp->pipe_) return nullptr;
  g_signal_write_fd.store(sp->pipe_->write_fd());
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = HandleSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int signo : signals) {
    if (sigaction(signo, &sa, nullptr) != 0) {
      *error = std::string("sigaction: ") + strerror(errno);
      return nullptr;
    }
    sp->signals_.push_back(signo);
  }
  return sp;
}

SignalPipe::~SignalPipe() {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_DFL;
  sigemptyset(&sa.sa_mask);
  for (int signo : signals_) sigaction(signo, &sa, nullptr);
  if (pipe_ && g_signal_write_fd.load() == pipe_->write_fd()) g_signal_write_fd.store(-1);
}

}  // namespace smc::proxy
