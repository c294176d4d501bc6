// How busy the calling thread is: the share of wall time it ran or was ready to run, from
// the kernel's scheduler statistics (/proc/self/task/TID/schedstat: time on a CPU and time
// waiting in a run queue). 1.0 is one core's worth: the most one smc-proxy can do.
//
// Counting the wait means a proxy starved of CPU by its neighbours reads as loaded, as it
// is: its messages wait all the same. With CPU time alone, a proxy sharing its core with a
// busy neighbour read about 0.55 while its calls in setup piled up to the limit and every
// call failed (docs/reliability.md). Where schedstat cannot be read, CPU time alone is used.
#ifndef SMC_INTEGRATION_LOAD_METER_H_
#define SMC_INTEGRATION_LOAD_METER_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace smc::proxy {

class LoadMeter {
 public:
  // Starts measuring the calling thread, which must be the one that calls Sample().
  LoadMeter();

  // The load since the previous call (or construction): 1.0 is one core all the time. May
  // exceed 1 slightly (the two clocks are read apart). 0 when no time passed.
  double Sample();

  bool uses_schedstat() const { return schedstat_; }

 private:
  // Nanoseconds the thread ran (plus waited to run, with schedstat).
  uint64_t ThreadBusyNs();

  std::string schedstat_path_;
  bool schedstat_ = false;
  uint64_t last_busy_ns_ = 0;
  std::chrono::steady_clock::time_point last_wall_;
};

}  // namespace smc::proxy

#endif  // SMC_INTEGRATION_LOAD_METER_H_
