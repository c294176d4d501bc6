// How long a message waits in the proxy's UDP socket before the proxy reads it: the signal
// of a proxy falling behind.
//
// Every housekeeping tick the probe sends one small OPTIONS from a socket of its own to the
// proxy's UDP address; it queues behind whatever else has arrived, and the proxy recognises
// it (Call-ID with a per-process random prefix and a sequence number) when it reads it,
// before any other work. The time between the two is the queueing delay every message sees
// at that moment.
//
// A full socket buffer drops probes like any other datagram. Datagrams from one socket to
// another on the same host are read in the order they were sent, so a probe still unread
// when a later one is read was dropped: it is forgotten, rather than reported as a delay
// that grows for as long as one waits for it (which once read as 2 s while the real queue
// was a few hundred milliseconds, and shed nearly every call).
// A timer's lag would not show it: sofia's loop runs its timers between two reads of the
// socket, so timers stay on time while the queue grows. Neither would CPU time: a proxy
// starved of CPU by its neighbours uses little of it while its messages wait.
#ifndef SMC_INTEGRATION_QUEUE_PROBE_H_
#define SMC_INTEGRATION_QUEUE_PROBE_H_

#include <chrono>
#include <cstdint>
#include <deque>
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

  // Once per tick: the delay to report for this tick, then a new probe is sent. The delay
  // is the longest of the probes read since the last tick; when none was read, the age of
  // the oldest probe still under way (it has waited at least that long); when none is under
  // way either, the last delay read. nullopt before the first probe was read.
  std::optional<Clock::duration> OnTick(Clock::time_point now);

  // Whether a request's Call-ID is a probe's. A probe under way gives its delay, and every
  // probe sent before it that is still under way is taken as lost.
  bool Recognise(std::string_view call_id, Clock::time_point now);

  // Probes under way at most: older ones are forgotten (lost, or the queue is longer than
  // this many ticks, which the oldest one kept still shows).
  static constexpr size_t kMaxUnderWay = 16;

 private:
  struct UnderWay {
    uint64_t seq;
    Clock::time_point sent_at;
  };

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
  std::deque<UnderWay> under_way_;                  // oldest first
  std::optional<Clock::duration> read_this_tick_;  // the longest delay read since the tick
  std::optional<Clock::duration> last_;   // the delay of the last probe read
};

}  // namespace smc::proxy

#endif  // SMC_INTEGRATION_QUEUE_PROBE_H_
