// How long a message waits in the proxy's UDP socket before the proxy reads it: the signal
// of a proxy falling behind.
//
// Every housekeeping tick the probe sends one small OPTIONS from a socket of its own to the
// proxy's UDP address; it queues behind whatever else has arrived, and the proxy recognises
// it (Call-ID with a per-process random prefix) when it reads it, before any other work.
// The time between the two is the queueing delay every message sees at that moment.
// A timer's lag would not show it: sofia's loop runs its timers between two reads of the
// socket, so timers stay on time while the queue grows. Neither would CPU time: a proxy
// starved of CPU by its neighbours uses little of it while its messages wait.
#ifndef SMC_INTEGRATION_QUEUE_PROBE_H_
#define SMC_INTEGRATION_QUEUE_PROBE_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace smc::proxy {

class QueueProbe {
 public:
  using Clock = std::chrono::steady_clock;

  // A probe aimed at the proxy's UDP address ip:port (an IP literal; the unspecified
  // address is aimed at the loopback). nullptr and *error when its socket cannot be made.
  static std::unique_ptr<QueueProbe> Create(const std::string& ip, uint16_t port,
                                            std::string* error);
  ~QueueProbe();
  QueueProbe(const QueueProbe&) = delete;
  QueueProbe& operator=(const QueueProbe&) = delete;

  // Once per tick: the delay to report for this tick, then a new probe is sent when none is
  // under way. The delay is the age of the probe under way when it has not been read yet (a
  // lower bound: it has waited at least that long), else that of the last probe read;
  // nullopt before the first one was read.
  std::optional<Clock::duration> OnTick(Clock::time_point now);

  // Whether a request's Call-ID is a probe's. When it is the one under way, its delay is
  // taken; an older one (it was given up on) is only recognised.
  bool Recognise(std::string_view call_id, Clock::time_point now);

 private:
  QueueProbe(int fd, std::string prefix, std::string target_ip, uint16_t target_port,
             std::string local);
  void Send(Clock::time_point now);

  int fd_;
  std::string prefix_;  // "smc-probe-<random>-"
  std::string target_ip_;
  uint16_t target_port_;
  std::string local_;   // the probe socket's ip:port, for the Via
  bool v6_;
  uint64_t seq_ = 0;
  bool under_way_ = false;
  Clock::time_point sent_at_;
  std::optional<Clock::duration> last_;   // the delay of the last probe read
};

}  // namespace smc::proxy

#endif  // SMC_INTEGRATION_QUEUE_PROBE_H_
