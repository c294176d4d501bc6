// A clock that runs N times faster than another one: the session-timer enforcer's clock
// under `smc-proxy --session-timer-clock-scale N`, so that tests see a 90 s session interval
// elapse in 90/N s. The messages are unchanged; only the enforcer's idea of time moves faster.
#ifndef SMC_INTEGRATION_SCALED_CLOCK_H_
#define SMC_INTEGRATION_SCALED_CLOCK_H_

#include <algorithm>
#include <cstdint>

#include "smc/clock.h"

namespace smc::proxy {

class ScaledClock final : public Clock {
 public:
  // Both clocks read the same at construction; from then on this one advances `scale` times
  // as fast as `base` (a scale of 0 counts as 1).
  ScaledClock(const Clock& base, uint32_t scale)
      : base_(base), scale_(std::max<uint32_t>(scale, 1)), origin_(base.Now()) {}

  time_point Now() const override { return FromBase(base_.Now()); }
  uint32_t scale() const { return scale_; }

  // The scaled time at base time `t`.
  time_point FromBase(time_point t) const { return origin_ + (t - origin_) * scale_; }

  // The earliest base time at which this clock reads `t` or later (rounded up, so that a
  // deadline converted to base time is never reached early).
  time_point ToBase(time_point t) const {
    const auto d = t - origin_;
    if (d.count() <= 0) return origin_ + d / scale_;  // toward zero is up for negatives
    return origin_ + (d + time_point::duration(scale_ - 1)) / scale_;
  }

 private:
  const Clock& base_;
  const uint32_t scale_;
  const time_point origin_;
};

}  // namespace smc::proxy

#endif  // SMC_INTEGRATION_SCALED_CLOCK_H_
