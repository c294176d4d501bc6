// The per-Apply LineIndex must find exactly the lines SipMessage::FindHeader finds, from any
// position, while lines are removed and added the way rules remove and add them.
#include "chain_index.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "compiled_profile.h"
#include "smc/header_names.h"
#include "smc/sip_message.h"

namespace smc::internal {
namespace {

// Names as messages write them: known headers (full and compact), others in any case.
const std::vector<std::string> kNames = {"Session-Expires", "x",     "Allow",   "allow",
                                         "Supported",       "k",     "Min-SE",  "Require",
                                         "X-Trunk",         "x-trunk", "X-TRUNK", "X-A",
                                         "x-b",             "Via",   "Contact", "m"};

Target TargetFor(const std::string& name) {
  Target t;
  t.header = LookupHeader(name);
  if (t.header == HeaderId::kOther) {
    for (const char c : name) {
      t.header_lower.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    }
  }
  t.header_written = name;
  return t;
}

std::string GenerateMessage(std::mt19937& rng, int lines) {
  std::string m = "SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\n";
  for (int i = 0; i < lines; ++i) {
    m += kNames[std::uniform_int_distribution<size_t>(0, kNames.size() - 1)(rng)] + ": " +
         std::to_string(i) + "\r\n";
  }
  return m + "Content-Length: 0\r\n\r\n";
}

// Every target, from every position: the index against FindHeader.
void ExpectSameAsFindHeader(LineIndex& index, const SipMessage& message) {
  for (const std::string& name : kNames) {
    const Target target = TargetFor(name);
    for (size_t from = 0; from <= message.header_count() + 1; ++from) {
      const size_t want = target.header == HeaderId::kOther
                              ? message.FindHeader(target.header_lower, from)
                              : message.FindHeader(target.header, from);
      ASSERT_EQ(index.Find(message, target, from), want)
          << name << " from " << from << " in\n" << message.Serialize();
    }
  }
}

TEST(LineIndexTest, FindsWhatFindHeaderFindsAsLinesAreRemovedAndAdded) {
  std::mt19937 rng(5);
  int removals = 0;
  for (int n = 0; n < 300; ++n) {
    std::optional<SipMessage> message =
        SipMessage::Parse(GenerateMessage(rng, std::uniform_int_distribution<int>(0, 24)(rng)));
    ASSERT_TRUE(message.has_value());
    LineIndex index;
    index.Build(*message);
    ASSERT_TRUE(index.usable());
    ExpectSameAsFindHeader(index, *message);
    if (HasFatalFailure()) return;
    // Edits until the message has only CSeq and Content-Length left.
    while (message->header_count() > 2) {
      if (std::uniform_int_distribution<int>(0, 4)(rng) == 0) {
        const size_t pos = std::uniform_int_distribution<size_t>(0, message->header_count())(rng);
        const std::string& name = kNames[std::uniform_int_distribution<size_t>(0, 5)(rng)];
        ASSERT_NE(message->InsertHeader(pos, name, "added"), SipMessage::npos);
        index.Invalidate();
      } else {
        // A line other than CSeq (the first) and Content-Length (the last).
        const size_t line =
            std::uniform_int_distribution<size_t>(1, message->header_count() - 2)(rng);
        const HeaderId id = message->header_id(line);
        message->RemoveHeader(line);
        index.Removed(*message, line, id);
        ++removals;
      }
      ExpectSameAsFindHeader(index, *message);
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_GT(removals, 1000);
}

TEST(LineIndexTest, PresentIdsAndLinesWithoutAnId) {
  std::optional<SipMessage> message = SipMessage::Parse(
      "SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\nX-A: 1\r\nAllow: BYE\r\nx-b: 2\r\n"
      "Content-Length: 0\r\n\r\n");
  ASSERT_TRUE(message.has_value());
  LineIndex index;
  index.Build(*message);
  ASSERT_TRUE(index.usable());
  const uint64_t want = (uint64_t{1} << static_cast<size_t>(HeaderId::kCSeq)) |
                        (uint64_t{1} << static_cast<size_t>(HeaderId::kAllow)) |
                        (uint64_t{1} << static_cast<size_t>(HeaderId::kContentLength)) |
                        (uint64_t{1} << static_cast<size_t>(HeaderId::kOther));
  EXPECT_EQ(index.present(), want);
  EXPECT_EQ(index.first_other(), 1u);
  EXPECT_EQ(index.last_other(), 3u);
}

TEST(LineIndexTest, MessageWithMoreLinesThanItNumbersIsScanned) {
  std::string wire = "SIP/2.0 200 OK\r\n";
  for (int i = 0; i < 70000; ++i) wire += i % 2 == 0 ? "X-A: 1\r\n" : "Allow: BYE\r\n";
  wire += "X-Last: 1\r\nContent-Length: 0\r\n\r\n";
  std::optional<SipMessage> message = SipMessage::Parse(wire);
  ASSERT_TRUE(message.has_value());
  LineIndex index;
  index.Build(*message);
  EXPECT_FALSE(index.usable());
  EXPECT_EQ(index.Find(*message, TargetFor("x-last"), 0), 70000u);
  EXPECT_EQ(index.Find(*message, TargetFor("Allow"), 69998), 69999u);
  EXPECT_EQ(index.Find(*message, TargetFor("Allow"), 70000), SipMessage::npos);
}

}  // namespace
}  // namespace smc::internal
