#include "overload_guard.h"

#include <algorithm>

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
  // Shrink while the last second and the last tick are both over the limit (so neither one
  // busy tick nor the lag of the average does it) and the queue is not draining already;
  // grow back as soon as a tick is under the limit.
  //
  // The delay lags the admissions: what is queued now was admitted up to a queue's length
  // ago. Shrinking at every tick until the delay is under the limit again therefore keeps
  // shrinking long after enough was shed, down to the minimum share, and the proxy then
  // serves a fraction of what it could (measured: 220 calls/s at R = 800). Holding the share
  // while the delay falls by kFalling or more per tick lets the queue drain first.
  if (delay_ms > max_delay_ms_) {
    const bool draining = has_previous && delay_ms < previous * kFalling;
    if (this->delay_ms() > max_delay_ms_ && !draining) {
      share_ = std::max(kMinShare, share_ * kDecrease);
    }
  } else if (share_ < 1.0) {
    share_ = std::min(1.0, share_ + kIncrease);
    if (share_ >= 1.0) credit_ = 0;
  }
}

}  // namespace smc::proxy
