// Loading a configuration off the proxy's thread.
//
// Reading and compiling a configuration of 1,000 profiles takes 100-200 ms on this kind of
// machine (docs/performance.md). Done on the su_root thread, as a SIGHUP reload used to be,
// every message waits that long in the socket: at 3,000 calls/s that is 7,000 datagrams,
// more than an 8 MiB receive buffer holds, so a reload would cost retransmissions and
// calls. The loader runs the load on a worker thread and hands the result back to the
// su_root thread (a byte through a pipe registered with the root), where the proxy swaps
// it in between two messages. The compiled configuration is immutable, so building it on
// one thread and using it on another needs nothing more than the hand-over.
#ifndef SMC_INTEGRATION_BACKGROUND_LOADER_H_
#define SMC_INTEGRATION_BACKGROUND_LOADER_H_

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "smc/proxy_config.h"
#include "sofia.h"
#include "wakeup_pipe.h"

namespace smc::proxy {

class BackgroundLoader {
 public:
  // Runs on the worker thread: reads and compiles `path` (LoadProxyConfig in the proxy).
  using Load = std::function<ProxyConfigResult(const std::string& path)>;
  // Runs on the su_root thread with what Load returned and how long Load took (ms).
  using Done = std::function<void(ProxyConfigResult result, double load_ms)>;

  // nullptr and *error when its pipe cannot be made or registered with `root`.
  static std::unique_ptr<BackgroundLoader> Create(su_root_t* root, Load load, Done done,
                                                  std::string* error);
  // Waits for a load under way (its result is dropped), then closes the pipe.
  ~BackgroundLoader();
  BackgroundLoader(const BackgroundLoader&) = delete;
  BackgroundLoader& operator=(const BackgroundLoader&) = delete;

  // Starts loading `path`. When a load is under way, one more is queued to start when it
  // is done, so that the last request reads the file as it is after it was made; a burst
  // of requests is at most two loads. Call on the su_root thread.
  void Request(const std::string& path);

  // Whether a load is under way or queued (su_root thread).
  bool busy() const { return worker_.joinable() || queued_.has_value(); }

 private:
  BackgroundLoader() = default;
  void Start(const std::string& path);
  void Finish();

  std::unique_ptr<WakeupPipe> pipe_;  // the worker's "done", read on the su_root thread
  Load load_;
  Done done_;
  std::thread worker_;
  std::optional<std::string> queued_;
  std::mutex mutex_;                          // guards result_ between the two threads
  std::optional<ProxyConfigResult> result_;   // set by the worker, taken by Finish
  double load_ms_ = 0;                        // with result_
};

}  // namespace smc::proxy

#endif  // SMC_INTEGRATION_BACKGROUND_LOADER_H_
