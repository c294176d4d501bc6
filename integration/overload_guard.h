// Deciding when smc-proxy sheds new calls: pure logic, fed by the proxy (calls starting and
// ending their setup, a queueing-delay sample per housekeeping tick), so that it can be
// tested alone.
//
// Two signals, each with a limit from the configuration (ProxyLimits; 0 turns it off):
//  * calls in setup: INVITEs forwarded and not yet finally answered. Over the limit, every
//    new INVITE is shed. It bounds the memory held by calls being set up, whatever causes
//    them to pile up (a slow trunk, or the proxy itself falling behind);
//  * queueing delay: how long a message waited in the proxy's socket before the proxy read
//    it (QueueProbe), sampled every tick. While the last tick is above the limit, and so is
//    the last second (kWindow ticks) or the tick before (the last one then by twice), the
//    share of new INVITEs admitted is cut multiplicatively, at most once per queue's worth
//    of time (as TCP cuts its window once per round trip); once a tick is at or below the
//    limit, the share grows back additively (AIMD). The proxy so settles where it still
//    reads messages at once, instead of where the queue, and so every message's delay,
//    grows until callers retransmit (after 500 ms) and the retransmissions make it worse.
// Only new INVITEs are ever shed: in-dialog requests, ACK, CANCEL and responses are what
// let calls under way finish, and finishing them is what frees the proxy.
#ifndef SMC_INTEGRATION_OVERLOAD_GUARD_H_
#define SMC_INTEGRATION_OVERLOAD_GUARD_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "smc/proxy_config.h"

namespace smc::proxy {

enum class Admission : uint8_t { kAdmit, kShedCallsInSetup, kShedQueueDelay };

class OverloadGuard {
 public:
  // A cut multiplies the admitted share by kDecrease, or by kSevereDecrease when the last
  // tick's delay is over twice the limit and the one before was over it too; at or below
  // the limit, kIncrease is added back at each tick.
  static constexpr double kDecrease = 0.8;
  static constexpr double kSevereDecrease = 0.5;
  static constexpr double kIncrease = 0.02;  // 0.2 a second: from the floor to 1 in 5 s
  // The admitted share never drops below this: a trickle of calls keeps being tried, so that
  // the delay samples keep telling whether they are affordable.
  static constexpr double kMinShare = 0.02;
  // A delay under this fraction of the previous tick's is a queue draining: the share is
  // held, not shrunk.
  static constexpr double kFalling = 0.9;
  // How often the proxy sends a queue probe and gives the guard a delay sample.
  static constexpr double kTickMs = 100;
  // Delay samples averaged: one second of ticks.
  static constexpr size_t kWindow = 10;

  OverloadGuard() = default;
  explicit OverloadGuard(const ProxyLimits& limits) { Configure(limits); }

  // New limits (a reload). The counts and the admitted share carry over.
  void Configure(const ProxyLimits& limits);

  // Whether a new INVITE may be forwarded. Call CallStarted() once it is.
  Admission AdmitNewCall();
  void CallStarted() { ++calls_in_setup_; }
  // Its first final response was relayed or made, or its transaction ended without one.
  void CallEnded() {
    if (calls_in_setup_ > 0) --calls_in_setup_;
  }

  // The queueing delay measured at the last tick, in milliseconds.
  void OnDelaySample(double delay_ms);
  // The average of the last kWindow samples: what is compared with the limit.
  double delay_ms() const;
  // The last sample (0 before the first).
  double last_delay_ms() const {
    return sample_count_ == 0 ? 0 : samples_[(sample_count_ - 1) % kWindow];
  }

  uint32_t calls_in_setup() const { return calls_in_setup_; }
  double admitted_share() const { return share_; }

 private:
  uint32_t max_calls_in_setup_ = ProxyLimits{}.max_calls_in_setup;
  double max_delay_ms_ = ProxyLimits{}.max_queue_delay_ms;  // 0: off
  uint32_t calls_in_setup_ = 0;
  double share_ = 1.0;
  double credit_ = 0;  // admits exactly `share_` of the calls, without randomness
  std::array<double, kWindow> samples_{};
  size_t sample_count_ = 0;  // samples taken, all time
  // Ticks left before another cut may be made: what was queued when the last cut was made
  // (admitted before it) is still being read until then.
  size_t cut_hold_ticks_ = 0;
};

}  // namespace smc::proxy

#endif  // SMC_INTEGRATION_OVERLOAD_GUARD_H_
