// ShedRecord: a shed INVITE's retransmissions are recognised with the To tag of the first
// 503, for the ttl and no longer, and the record stays within its capacity.
#include "shed_record.h"

#include <gtest/gtest.h>

#include <string>

namespace smc::proxy {
namespace {

using std::chrono::seconds;
using Clock = ShedRecord::Clock;

TEST(ShedRecordTest, ARetransmissionGetsTheFirstAnswersTagWithinTheTtl) {
  ShedRecord record;
  const Clock::time_point t0 = Clock::now();
  const std::string key = ShedRecord::Key("z9hG4bK-1", "call-1@host");
  EXPECT_FALSE(record.Find(key, t0).has_value());
  record.Remember(key, "smc503-1", t0, seconds(32));
  ASSERT_TRUE(record.Find(key, t0 + seconds(1)).has_value());
  EXPECT_EQ(record.Find(key, t0 + seconds(31))->to_tag, "smc503-1");
  EXPECT_EQ(record.Find(key, t0 + seconds(31))->last_sent, t0);
  record.Resent(key, t0 + seconds(1));
  EXPECT_EQ(record.Find(key, t0 + seconds(2))->last_sent, t0 + seconds(1));
  // Remembering it again does not change the answer.
  record.Remember(key, "smc503-2", t0 + seconds(2), seconds(32));
  EXPECT_EQ(record.Find(key, t0 + seconds(3))->to_tag, "smc503-1");
  EXPECT_FALSE(record.Find(key, t0 + seconds(32)).has_value());
  EXPECT_EQ(record.size(), 0u);
}

TEST(ShedRecordTest, TheKeyIsTheBranchAndTheCallId) {
  ShedRecord record;
  const Clock::time_point t0 = Clock::now();
  record.Remember(ShedRecord::Key("b1", "c1"), "t", t0, seconds(32));
  EXPECT_TRUE(record.Find(ShedRecord::Key("b1", "c1"), t0).has_value());
  EXPECT_FALSE(record.Find(ShedRecord::Key("b1", "c2"), t0).has_value());
  EXPECT_FALSE(record.Find(ShedRecord::Key("b2", "c1"), t0).has_value());
}

TEST(ShedRecordTest, OldestAreDroppedAtCapacity) {
  ShedRecord record(3);
  const Clock::time_point t0 = Clock::now();
  for (int i = 0; i < 5; ++i) {
    record.Remember(ShedRecord::Key("b" + std::to_string(i), "c"), std::to_string(i),
                    t0 + seconds(i), seconds(32));
    EXPECT_LE(record.size(), 3u);
  }
  EXPECT_FALSE(record.Find(ShedRecord::Key("b0", "c"), t0 + seconds(5)).has_value());
  EXPECT_FALSE(record.Find(ShedRecord::Key("b1", "c"), t0 + seconds(5)).has_value());
  for (int i = 2; i < 5; ++i) {
    const auto found = record.Find(ShedRecord::Key("b" + std::to_string(i), "c"), t0 + seconds(5));
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->to_tag, std::to_string(i));
  }
}

TEST(ShedRecordTest, ExpiredEntriesAreFreedAsTimePasses) {
  ShedRecord record;
  const Clock::time_point t0 = Clock::now();
  for (int i = 0; i < 100; ++i) {
    record.Remember(ShedRecord::Key("b" + std::to_string(i), "c"), "t", t0, seconds(1));
  }
  EXPECT_EQ(record.size(), 100u);
  record.Remember(ShedRecord::Key("late", "c"), "t", t0 + seconds(2), seconds(1));
  EXPECT_EQ(record.size(), 1u);
}

TEST(ShedRecordTest, ZeroCapacityRemembersNothing) {
  ShedRecord record(0);
  const Clock::time_point t0 = Clock::now();
  record.Remember(ShedRecord::Key("b", "c"), "t", t0, seconds(32));
  EXPECT_FALSE(record.Find(ShedRecord::Key("b", "c"), t0).has_value());
}

}  // namespace
}  // namespace smc::proxy
