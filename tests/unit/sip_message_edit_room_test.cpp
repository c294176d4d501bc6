// Parse() keeps room after the bytes it copies for the text edits write, so that the first
// edits of a message allocate nothing. What that must not change: the bytes parsed never
// move (a view of an unedited value stays valid through any number of edits), and a message
// serializes the same however its edits were stored, copied or moved.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "smc/sip_message.h"

namespace smc {
namespace {

const char kWire[] =
    "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\n"
    "To: <sip:b@h>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nAllow: INVITE,ACK,UPDATE\r\n"
    "Subject: folded\r\n  over two lines\r\nContent-Length: 4\r\n\r\nbody";

TEST(SipMessageEditRoomTest, ViewsOfTheBytesParsedSurviveEdits) {
  std::optional<SipMessage> m = SipMessage::Parse(kWire);
  ASSERT_TRUE(m.has_value());
  const std::string_view call_id = m->header_value(3);
  const std::string_view allow = m->header_value(5);
  ASSERT_EQ(call_id, "c");
  // Far more text than any room kept after the message.
  std::string expected_allow;
  for (int i = 0; i < 200; ++i) {
    const std::string value = "INVITE,ACK,BYE," + std::to_string(i) + std::string(40, 'x');
    ASSERT_TRUE(m->SetHeaderValue(5, value));
    ASSERT_NE(m->InsertHeader(6, "X-N", std::to_string(i)), SipMessage::npos);
    expected_allow = value;
  }
  EXPECT_EQ(call_id, "c");
  EXPECT_EQ(allow, "INVITE,ACK,UPDATE");
  EXPECT_EQ(m->header_value(5), expected_allow);
  EXPECT_EQ(m->header_value(6), "199");
  EXPECT_EQ(m->header_value(206), "folded over two lines");
}

TEST(SipMessageEditRoomTest, EditsSerializeTheSameWhereverTheyWereStored) {
  // The same edits on a message as parsed (room kept), on a copy (a copy keeps no room) and
  // on a message moved twice, interleaved with edits that refer to the message's own text.
  auto edit = [](SipMessage& m) {
    ASSERT_TRUE(m.SetHeaderValue(5, "INVITE,ACK"));
    ASSERT_TRUE(m.SetHeaderValue(6, m.header_value(5)));  // a value of the message itself
    ASSERT_NE(m.InsertHeader(1, "X-Long", std::string(300, 'y')), SipMessage::npos);
    ASSERT_TRUE(m.SetHeaderValue(0, m.header_value(1)));
    m.RemoveHeader(1);
    m.SetBody("longer body");
  };
  std::optional<SipMessage> parsed = SipMessage::Parse(kWire);
  ASSERT_TRUE(parsed.has_value());
  SipMessage copy = *parsed;
  SipMessage moved = std::move(*SipMessage::Parse(kWire));
  SipMessage moved_again = std::move(moved);
  edit(*parsed);
  edit(copy);
  edit(moved_again);
  const std::string out = parsed->Serialize();
  EXPECT_EQ(copy.Serialize(), out);
  EXPECT_EQ(moved_again.Serialize(), out);
  EXPECT_EQ(out,
            "SIP/2.0 200 OK\r\nVia: " + std::string(300, 'y') +
                "\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: c\r\n"
                "CSeq: 1 INVITE\r\nAllow: INVITE,ACK\r\nSubject: INVITE,ACK\r\n"
                "Content-Length: 11\r\n\r\nlonger body");
  // A copy of an edited message serializes as it does.
  const SipMessage copy_of_edited = *parsed;
  EXPECT_EQ(copy_of_edited.Serialize(), out);
}

TEST(SipMessageEditRoomTest, SerializeAppendsToWhatTheBufferHolds) {
  std::optional<SipMessage> m = SipMessage::Parse(kWire);
  ASSERT_TRUE(m.has_value());
  ASSERT_TRUE(m->SetHeaderValue(5, "INVITE"));
  std::string out = "prefix|";
  m->SerializeTo(&out);
  EXPECT_EQ(out, "prefix|" + m->Serialize());
  EXPECT_EQ(out.substr(out.size() - 4), "body");
}

}  // namespace
}  // namespace smc
