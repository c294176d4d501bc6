// The overload guard: which new INVITEs it sheds, for which signal, and how it recovers.
#include "overload_guard.h"

#include <gtest/gtest.h>

namespace smc::proxy {
namespace {

ProxyLimits Limits(uint32_t max_calls_in_setup, uint32_t max_queue_delay_ms) {
  ProxyLimits limits;
  limits.max_calls_in_setup = max_calls_in_setup;
  limits.max_queue_delay_ms = max_queue_delay_ms;
  return limits;
}

// How many of `n` new INVITEs the guard admits (each admitted one is counted as started).
int AdmitSome(OverloadGuard& guard, int n) {
  int admitted = 0;
  for (int i = 0; i < n; ++i) {
    if (guard.AdmitNewCall() == Admission::kAdmit) {
      guard.CallStarted();
      ++admitted;
    }
  }
  return admitted;
}

TEST(OverloadGuardTest, ShedsNewCallsWhileCallsInSetupAreAtTheLimit) {
  OverloadGuard guard(Limits(3, 0));
  EXPECT_EQ(AdmitSome(guard, 3), 3);
  EXPECT_EQ(guard.AdmitNewCall(), Admission::kShedCallsInSetup);
  EXPECT_EQ(guard.calls_in_setup(), 3u);
  guard.CallEnded();  // one answered: room for exactly one more
  EXPECT_EQ(AdmitSome(guard, 5), 1);
  EXPECT_EQ(guard.AdmitNewCall(), Admission::kShedCallsInSetup);
}

TEST(OverloadGuardTest, ZeroLimitsNeverShed) {
  OverloadGuard guard(Limits(0, 0));
  for (int tick = 0; tick < 20; ++tick) guard.OnDelaySample(400);
  EXPECT_EQ(AdmitSome(guard, 100000), 100000);
  EXPECT_EQ(guard.admitted_share(), 1.0);
}

TEST(OverloadGuardTest, DelayBelowTheLimitAdmitsEveryCall) {
  OverloadGuard guard(Limits(0, 100));
  for (int tick = 0; tick < 20; ++tick) guard.OnDelaySample(80);
  EXPECT_EQ(AdmitSome(guard, 1000), 1000);
}

TEST(OverloadGuardTest, OneSlowTickShedsNothing) {
  OverloadGuard guard(Limits(0, 100));
  for (int tick = 0; tick < 8; ++tick) guard.OnDelaySample(20);
  guard.OnDelaySample(300);  // this tick is slow, but the last second averages 90 ms
  EXPECT_EQ(guard.admitted_share(), 1.0);
  EXPECT_EQ(AdmitSome(guard, 100), 100);
}

TEST(OverloadGuardTest, SustainedDelayShrinksTheAdmittedShareAndShedsTheRest) {
  OverloadGuard guard(Limits(0, 100));
  for (int tick = 0; tick < 4; ++tick) guard.OnDelaySample(400);
  const double after_a_second = guard.admitted_share();
  EXPECT_LT(after_a_second, 1.0);
  for (int tick = 0; tick < 4; ++tick) guard.OnDelaySample(400);
  EXPECT_LT(guard.admitted_share(), after_a_second);
  const double share = guard.admitted_share();
  int shed_for_delay = 0;
  int admitted = 0;
  for (int i = 0; i < 1000; ++i) {
    const Admission a = guard.AdmitNewCall();
    if (a == Admission::kAdmit) ++admitted;
    if (a == Admission::kShedQueueDelay) ++shed_for_delay;
  }
  EXPECT_EQ(admitted + shed_for_delay, 1000);
  // Exactly the share, give or take the one call the credit carries over.
  EXPECT_NEAR(admitted, share * 1000, 1.0);
}

TEST(OverloadGuardTest, HoldsTheShareWhileTheQueueDrains) {
  OverloadGuard guard(Limits(0, 100));
  for (int tick = 0; tick < 4; ++tick) guard.OnDelaySample(400 + 100 * tick);  // rising
  const double shrunk = guard.admitted_share();
  ASSERT_LT(shrunk, 1.0);
  // Still over the limit, but falling by more than a tenth a tick: enough is shed already.
  for (double d : {600.0, 450.0, 300.0, 200.0, 150.0}) {
    guard.OnDelaySample(d);
    EXPECT_EQ(guard.admitted_share(), shrunk) << d;
  }
  guard.OnDelaySample(145);  // over the limit and no longer draining: shrink again
  EXPECT_LT(guard.admitted_share(), shrunk);
  guard.OnDelaySample(60);  // under the limit: grow back
  EXPECT_GT(guard.admitted_share(), shrunk * OverloadGuard::kDecrease);
}

// A cut shows in the delay only once what was queued before it has been read: cutting again
// before that cuts for load already shed. Two cuts are a queue's worth of ticks apart.
TEST(OverloadGuardTest, CutsAtMostOncePerQueueOfTime) {
  OverloadGuard guard(Limits(0, 100));
  const double queue_ms = 7 * OverloadGuard::kTickMs;
  guard.OnDelaySample(queue_ms);  // over the limit, the last second too: the first cut
  const double first = guard.admitted_share();
  EXPECT_DOUBLE_EQ(first, OverloadGuard::kDecrease);
  // What is queued was admitted before the cut: no further cut for 7 ticks, however bad.
  for (int tick = 1; tick < 7; ++tick) {
    guard.OnDelaySample(queue_ms + 100 * tick);
    EXPECT_DOUBLE_EQ(guard.admitted_share(), first) << tick;
  }
  guard.OnDelaySample(queue_ms + 700);  // severe: the last two ticks over, this one by 2x
  EXPECT_DOUBLE_EQ(guard.admitted_share(), first * OverloadGuard::kSevereDecrease);
}

// Two ticks over the limit, the last by twice, cut hard without waiting for the average.
TEST(OverloadGuardTest, AFastGrowingQueueIsCutHardAtTheSecondTick) {
  OverloadGuard guard(Limits(0, 100));
  for (int tick = 0; tick < 8; ++tick) guard.OnDelaySample(10);
  guard.OnDelaySample(120);  // the last second averages 37 ms: nothing yet
  EXPECT_EQ(guard.admitted_share(), 1.0);
  guard.OnDelaySample(260);  // still averaging 100 ms, but the queue is building fast
  EXPECT_DOUBLE_EQ(guard.admitted_share(), OverloadGuard::kSevereDecrease);
}

TEST(OverloadGuardTest, NeverShedsEverything) {
  OverloadGuard guard(Limits(0, 100));
  for (int tick = 0; tick < 200; ++tick) guard.OnDelaySample(5000);
  EXPECT_GE(guard.admitted_share(), OverloadGuard::kMinShare);
  EXPECT_GT(AdmitSome(guard, 1000), 0);
}

TEST(OverloadGuardTest, GrowsBackAsSoonAsATickIsUnderTheLimit) {
  OverloadGuard guard(Limits(0, 100));
  for (int tick = 0; tick < 8; ++tick) guard.OnDelaySample(400);
  const double shrunk = guard.admitted_share();
  guard.OnDelaySample(90);  // the last second still averages 322 ms, but this tick is fine
  EXPECT_GT(guard.admitted_share(), shrunk);
}

TEST(OverloadGuardTest, RecoversFullyOnceTheDelayDrops) {
  OverloadGuard guard(Limits(0, 100));
  for (int tick = 0; tick < 40; ++tick) guard.OnDelaySample(400);
  ASSERT_LT(guard.admitted_share(), 0.1);
  int ticks = 0;
  while (guard.admitted_share() < 1.0 && ticks < 1000) {
    guard.OnDelaySample(5);
    ++ticks;
  }
  EXPECT_EQ(guard.admitted_share(), 1.0);
  // Additive increase: back to full in a bounded number of ticks (20 at 0.05 per tick).
  EXPECT_LE(ticks, static_cast<int>(1.0 / OverloadGuard::kIncrease) + 1);
  EXPECT_EQ(AdmitSome(guard, 1000), 1000);
}

TEST(OverloadGuardTest, ReloadTurningTheDelayLimitOffAdmitsEverything) {
  OverloadGuard guard(Limits(0, 100));
  for (int tick = 0; tick < 10; ++tick) guard.OnDelaySample(400);
  ASSERT_LT(guard.admitted_share(), 1.0);
  guard.Configure(Limits(0, 0));
  EXPECT_EQ(AdmitSome(guard, 100), 100);
}

TEST(OverloadGuardTest, ReloadKeepsCountingCallsInSetup) {
  OverloadGuard guard(Limits(10, 0));
  EXPECT_EQ(AdmitSome(guard, 4), 4);
  guard.Configure(Limits(4, 0));  // the calls under way count against the new limit
  EXPECT_EQ(guard.AdmitNewCall(), Admission::kShedCallsInSetup);
  guard.CallEnded();
  EXPECT_EQ(guard.AdmitNewCall(), Admission::kAdmit);
}

TEST(OverloadGuardTest, MoreEndsThanStartsNeverUnderflow) {
  OverloadGuard guard(Limits(1, 0));
  guard.CallEnded();
  EXPECT_EQ(guard.calls_in_setup(), 0u);
  EXPECT_EQ(guard.AdmitNewCall(), Admission::kAdmit);
}

}  // namespace
}  // namespace smc::proxy
