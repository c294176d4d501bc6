#include "overload_guard.h"

#include <algorithm>
#include <cmath>

namespace smc::proxy {

void OverloadGuard::Configure(const ProxyLimits& limits) {
  max_calls_in_setup_ = limits.max_calls_in_setup;
  max_delay_ms_ = limits.max_queue_delay_ms;
  if (max_delay_ms_ == 0) share_ = 1.0;
}

Admission OverloadGuard::AdmitNewCall() {
  if (max_calls_in_setup_ != 0 && calls_in_setup_ >= max_calls_in_setup_) {
    return Admission::kShedCallsInSetup;
  }
  if (share_ >= 1.0) return Admission::kAdmit;
  credit_ += share_;
  if (credit_ >= 1.0) {
    credit_ -= 1.0;
    return Admission::kAdmit;
  }
  return Admission::kShedQueueDelay;
}

double OverloadGuard::delay_ms() const {
  const size_t n = std::min(sample_count_, kWindow);
  if (n == 0) return 0;
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += samples_[i];
  return sum / static_cast<double>(n);
}

void OverloadGuard::OnDelaySample(double delay_ms) {
  const bool has_previous = sample_count_ > 0;
  const double previous = has_previous ? samples_[(sample_count_ - 1) % kWindow] : 0;
  samples_[sample_count_ % kWindow] = delay_ms;
  ++sample_count_;
  if (max_delay_ms_ == 0) return;
  if (cut_hold_ticks_ > 0) --cut_hold_ticks_;
  // Cut while the last tick is over the limit and either the last second is too (so one
  // busy tick alone does not do it) or the last two ticks are, the last one by twice (a
  // queue is building fast: waiting for the average to catch up lets it pass T1, 500 ms,
  // where callers retransmit and every message costs twice). Not while the queue drains.
  //
  // The delay lags the admissions: what is queued now was admitted up to a queue's length
  // ago. Cutting at every tick until the delay is under the limit again therefore keeps
  // cutting long after enough was shed, down to the minimum share, and the proxy then
  // serves a fraction of what it could (measured: 220 calls/s at R = 800). So a cut is
  // made at most once per queue's worth of time (the last delay, in ticks), and the share
  // is held while the delay falls by kFalling or more per tick.
  if (delay_ms > max_delay_ms_) {
    const bool draining = has_previous && delay_ms < previous * kFalling;
    const bool severe = delay_ms > 2 * max_delay_ms_ && previous > max_delay_ms_;
    if ((this->delay_ms() > max_delay_ms_ || severe) && !draining && cut_hold_ticks_ == 0) {
      share_ = std::max(kMinShare, share_ * (severe ? kSevereDecrease : kDecrease));
      cut_hold_ticks_ = static_cast<size_t>(std::ceil(delay_ms / kTickMs));
    }
  } else if (share_ < 1.0) {
    share_ = std::min(1.0, share_ + kIncrease);
    if (share_ >= 1.0) credit_ = 0;
  }
}

}  // namespace smc::proxy
