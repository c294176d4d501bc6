// Signals delivered on the su_root thread.
//
// A signal handler may do almost nothing safely, so it only writes the signal number as one
// byte into a non-blocking pipe; the read end is registered with the su_root, and the
// callback runs there, between SIP messages, with all of the proxy's state consistent.
#ifndef SMC_INTEGRATION_SIGNAL_PIPE_H_
#define SMC_INTEGRATION_SIGNAL_PIPE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sofia.h"
#include "wakeup_pipe.h"

namespace smc::proxy {

class SignalPipe {
 public:
  using Callback = std::function<void(int signo)>;

  // Installs handlers for `signals` and registers the pipe with `root`. Only one SignalPipe
  // may exist at a time (a signal handler can reach only process-wide state). nullptr and
  // *error on failure.
  static std::unique_ptr<SignalPipe> Create(su_root_t* root, const std::vector<int>& signals,
                                            Callback callback, std::string* error);
  ~SignalPipe();  // restores the default dispositions, unregisters, closes the pipe
  SignalPipe(const SignalPipe&) = delete;
  SignalPipe& operator=(const SignalPipe&) = delete;

 private:
  SignalPipe() = default;

  std::unique_ptr<WakeupPipe> pipe_;
  std::vector<int> signals_;
  Callback callback_;
};

}  // namespace smc::proxy

#endif  // SMC_INTEGRATION_SIGNAL_PIPE_H_
