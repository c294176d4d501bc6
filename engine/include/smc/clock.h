// Time as an injected dependency, so that timers are testable with a fake clock.
#ifndef SMC_CLOCK_H_
#define SMC_CLOCK_H_

#include <chrono>

namespace smc {

class Clock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual time_point Now() const = 0;
};

class SteadyClock final : public Clock {
 public:
  time_point Now() const override { return std::chrono::steady_clock::now(); }
};

// A clock that moves only when told to: for tests.
class FakeClock final : public Clock {
 public:
  time_point Now() const override { return now_; }
  void Advance(std::chrono::milliseconds d) { now_ += d; }
  void Set(time_point t) { now_ = t; }

 private:
  time_point now_{};
};

}  // namespace smc

#endif  // SMC_CLOCK_H_
