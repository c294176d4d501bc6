#include "signal_pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <atomic>

namespace smc::proxy {
namespace {

// The write end of the pipe, for the handler. A signal handler can reach nothing else, so
// this one process-wide value is unavoidable; -1 when no SignalPipe exists.
std::atomic<int> g_signal_write_fd{-1};

extern "C" void HandleSignal(int signo) {
  const int saved_errno = errno;
  const int fd = g_signal_write_fd.load(std::memory_order_relaxed);
  if (fd >= 0) {
    const unsigned char byte = static_cast<unsigned char>(signo);
    // A full pipe already holds pending signals: dropping this byte loses nothing that
    // matters (a reload or a stop is already queued).
    ssize_t ignored = write(fd, &byte, 1);
    (void)ignored;
  }
  errno = saved_errno;
}

bool SetNonBlockingCloexec(int fd) {
  const int fl = fcntl(fd, F_GETFL);
  return fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0 &&
         fcntl(fd, F_SETFD, FD_CLOEXEC) == 0;
}

}  // namespace

std::unique_ptr<SignalPipe> SignalPipe::Create(su_root_t* root, const std::vector<int>& signals,
                                               Callback callback, std::string* error) {
  if (g_signal_write_fd.load() >= 0) {
    *error = "a signal pipe exists already";
    return nullptr;
  }
  std::unique_ptr<SignalPipe> sp(new SignalPipe());
  int fds[2];
  if (pipe(fds) != 0) {
    *error = std::string("pipe: ") + strerror(errno);
    return nullptr;
  }
  sp->read_fd_ = fds[0];
  sp->write_fd_ = fds[1];
  sp->root_ = root;
  sp->callback_ = std::move(callback);
  if (!SetNonBlockingCloexec(fds[0]) || !SetNonBlockingCloexec(fds[1])) {
    *error = std::string("fcntl: ") + strerror(errno);
    return nullptr;
  }
  if (su_wait_create(sp->wait_, sp->read_fd_, SU_WAIT_IN) != 0) {
    *error = "su_wait_create failed";
    return nullptr;
  }
  sp->wait_created_ = true;
  sp->registration_ =
      su_root_register(root, sp->wait_, &SignalPipe::OnReadable, sp.get(), 0);
  if (sp->registration_ < 0) {
    *error = "su_root_register failed";
    return nullptr;
  }
  g_signal_write_fd.store(sp->write_fd_);
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
  if (g_signal_write_fd.load() == write_fd_) g_signal_write_fd.store(-1);
  if (registration_ >= 0) su_root_unregister(root_, wait_, &SignalPipe::OnReadable, this);
  if (wait_created_) su_wait_destroy(wait_);
  if (read_fd_ >= 0) close(read_fd_);
  if (write_fd_ >= 0) close(write_fd_);
}

int SignalPipe::OnReadable(su_root_magic_t*, su_wait_t*, su_wakeup_arg_t* arg) {
  SignalPipe* self = static_cast<SignalPipe*>(arg);
  unsigned char buf[64];
  // Drain everything first, then act: a burst of SIGHUPs while one reload runs is one more
  // reload, not many (each reload reads the file as it is then).
  bool seen[256] = {};
  std::vector<int> order;
  for (;;) {
    const ssize_t n = read(self->read_fd_, buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; ++i) {
      if (!seen[buf[i]]) {
        seen[buf[i]] = true;
        order.push_back(buf[i]);
      }
    }
  }
  for (int signo : order) self->callback_(signo);
  return 0;
}

}  // namespace smc::proxy
