// A pipe whose read end wakes the su_root thread.
//
// Whatever must reach the su_root thread from elsewhere (a signal handler, a worker
// thread) writes a byte to the write end; the root drains the pipe between two SIP
// messages and hands the bytes to a callback, on its own thread. Both ends are non-blocking
// and close-on-exec. SignalPipe and BackgroundLoader are built on it.
#ifndef SMC_INTEGRATION_WAKEUP_PIPE_H_
#define SMC_INTEGRATION_WAKEUP_PIPE_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "sofia.h"

namespace smc::proxy {

class WakeupPipe {
 public:
  // Runs on the su_root thread with every byte written since the last call.
  using OnBytes = std::function<void(std::string_view bytes)>;

  // nullptr and *error (prefixed with `what`) when the pipe cannot be made or registered.
  static std::unique_ptr<WakeupPipe> Create(su_root_t* root, OnBytes on_bytes,
                                            const std::string& what, std::string* error);
  ~WakeupPipe();  // unregisters and closes both ends
  WakeupPipe(const WakeupPipe&) = delete;
  WakeupPipe& operator=(const WakeupPipe&) = delete;

  // Writes one byte: async-signal-safe and thread-safe. A full pipe drops it: the root has
  // a wake-up pending anyway.
  void Notify(unsigned char byte) const { NotifyFd(write_fd_, byte); }
  static void NotifyFd(int write_fd, unsigned char byte);
  // For a signal handler, which can reach only process-wide state.
  int write_fd() const { return write_fd_; }

 private:
  WakeupPipe() = default;
  static int OnReadable(su_root_magic_t* magic, su_wait_t* wait, su_wakeup_arg_t* arg);

  su_root_t* root_ = nullptr;
  int read_fd_ = -1;
  int write_fd_ = -1;
  su_wait_t wait_[1] = {};
  bool wait_created_ = false;
  int registration_ = -1;
  OnBytes on_bytes_;
};

}  // namespace smc::proxy

#endif  // SMC_INTEGRATION_WAKEUP_PIPE_H_
