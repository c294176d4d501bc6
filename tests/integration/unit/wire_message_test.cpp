// sofia <-> wire bytes: a message parsed the way nta parses keeps the bytes of every header,
// so what the engine did not change goes out as it came in.
#include "wire_message.h"

#include <gtest/gtest.h>

#include <string>

namespace smc::proxy {
namespace {

const char kMessage[] =
    "INVITE sip:bob@192.0.2.2 SIP/2.0\r\n"
    "v: SIP/2.0/UDP 192.0.2.9:5070;branch=z9hG4bK-1\r\n"
    "Max-Forwards:   69\r\n"
    "f: <sip:alice@192.0.2.9>;tag=a\r\n"
    "t: <sip:bob@192.0.2.2>\r\n"
    "i: call-1\r\n"
    "CSeq: 1 INVITE\r\n"
    "Allow: INVITE,ACK\r\n"
    "allow: BYE\r\n"
    "x: 1800;refresher=uac\r\n"
    "X-Custom:odd   spacing\r\n"
    "c: application/sdp\r\n"
    "l: 4\r\n"
    "\r\n"
    "v=0\n";

TEST(WireMessage, RoundTripKeepsEveryByte) {
  msg_t* msg = MsgFromWireBytes(kMessage);
  ASSERT_NE(msg, nullptr);
  std::string out;
  ASSERT_TRUE(MsgWireBytes(msg, &out));
  EXPECT_EQ(out, kMessage);
  msg_destroy(msg);
}

TEST(WireMessage, AHeaderAddedThroughSofiaIsEncodedOthersKeepTheirBytes) {
  msg_t* msg = MsgFromWireBytes(kMessage);
  ASSERT_NE(msg, nullptr);
  sip_t* sip = sip_object(msg);
  ASSERT_EQ(sip_add_tl(msg, sip, SIPTAG_SUBJECT_STR("hello"), TAG_END()), 0);
  std::string out;
  ASSERT_TRUE(MsgWireBytes(msg, &out));
  EXPECT_NE(out.find("Subject: hello\r\n"), std::string::npos);
  for (const char* kept : {"v: SIP/2.0/UDP", "Allow: INVITE,ACK\r\nallow: BYE\r\n",
                           "X-Custom:odd   spacing\r\n", "Max-Forwards:   69\r\n"}) {
    EXPECT_NE(out.find(kept), std::string::npos) << kept;
  }
  msg_destroy(msg);
}

TEST(WireMessage, RefusesWhatSofiaCannotParse) {
  EXPECT_EQ(MsgFromWireBytes(""), nullptr);
  EXPECT_EQ(MsgFromWireBytes("this is not SIP\r\n\r\n"), nullptr);
}

}  // namespace
}  // namespace smc::proxy
