// The proxy's own edits made on the received sofia message: sent as received only when the
// bytes are exactly those of the engine's message with the same edits.
#include "own_edits.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "proxy_edits.h"
#include "wire_message.h"

namespace smc::proxy {
namespace {

const std::string kSelfRoute = "<sip:192.0.2.1:5060;lr>";
const std::string kRecordRoute = "<sip:192.0.2.1:5060;lr>";
const std::string kRecordRouteTcp = "<sip:192.0.2.1:5060;transport=tcp;lr>";

bool IsSelf(std::string_view host, uint16_t port) { return host == "192.0.2.1" && port == 5060; }

// A received message, its engine copy with the same edits, and the sofia result.
struct Case {
  msg_t* received = nullptr;
  std::optional<SipMessage> edited;
  ~Case() { msg_destroy(received); }
};

void Load(Case& c, const std::string& bytes) {
  c.received = MsgFromWireBytes(bytes);
  ASSERT_NE(c.received, nullptr);
  std::string wire;
  ASSERT_TRUE(MsgWireBytes(c.received, &wire));
  c.edited = SipMessage::Parse(wire);
  ASSERT_TRUE(c.edited.has_value());
}

// nullptr or the copy's bytes, which must then be the engine's.
std::optional<std::string> Forwarded(Case& c, const OwnEdits& edits) {
  const std::string expected = c.edited->Serialize();
  msg_t* out = WithOwnEdits(c.received, edits, *c.edited, expected);
  if (out == nullptr) return std::nullopt;
  std::string bytes;
  EXPECT_TRUE(MsgWireBytes(out, &bytes));
  EXPECT_EQ(bytes, expected);
  msg_destroy(out);
  return bytes;
}

const char kInvite[] =
    "INVITE sip:bob@192.0.2.2 SIP/2.0\r\n"
    "v: SIP/2.0/UDP 192.0.2.9:5070;branch=z9hG4bK-1\r\n"
    "Via  :  SIP/2.0/UDP 192.0.2.8:5070;branch=z9hG4bK-0;received=192.0.2.8\r\n"
    "Route: <sip:192.0.2.1:5060;lr>\r\n"
    "Route: <sip:192.0.2.7;lr>\r\n"
    "max-forwards:\t70\r\n"
    "f: <sip:alice@192.0.2.9>;tag=a\r\n"
    "t: <sip:bob@192.0.2.2>\r\n"
    "i: call-1\r\n"
    "CSeq: 1 INVITE\r\n"
    "Allow: INVITE,ACK\r\n"
    "allow: BYE\r\n"
    "X-Custom:odd   spacing\r\n"
    "c: application/sdp\r\n"
    "l: 4\r\n"
    "\r\n"
    "v=0\n";

TEST(OwnEdits, MaxForwardsRouteAndRecordRouteAsTheEngineMakesThem) {
  Case c;
  Load(c, kInvite);
  OwnEdits edits;
  edits.routes_removed = PopOwnRoutes(*c.edited, IsSelf);
  ASSERT_EQ(edits.routes_removed, 1);
  ASSERT_EQ(DecrementMaxForwards(*c.edited), MaxForwardsResult::kDecremented);
  edits.max_forwards = true;
  AddRecordRoute(*c.edited, kRecordRoute, "");
  edits.record_route_first = &kRecordRoute;
  const std::optional<std::string> out = Forwarded(c, edits);
  ASSERT_TRUE(out.has_value());
  EXPECT_NE(out->find("received=192.0.2.8\r\nRecord-Route: <sip:192.0.2.1:5060;lr>\r\n"
                      "Route: <sip:192.0.2.7;lr>\r\nmax-forwards: 69\r\n"),
            std::string::npos)
      << *out;
  // The received message is as it was.
  std::string received;
  ASSERT_TRUE(MsgWireBytes(c.received, &received));
  EXPECT_EQ(received, kInvite);
  EXPECT_EQ(sip_object(c.received)->sip_max_forwards->mf_count, 70u);
}

TEST(OwnEdits, TwoRecordRoutesAboveAnExistingOne) {
  Case c;
  std::string invite = kInvite;
  invite.insert(invite.find("f: "), "Record-Route: <sip:192.0.2.9;lr>\r\n");
  Load(c, invite);
  OwnEdits edits;
  edits.routes_removed = PopOwnRoutes(*c.edited, IsSelf);
  AddRecordRoute(*c.edited, kRecordRouteTcp, kRecordRoute);
  edits.record_route_first = &kRecordRouteTcp;
  edits.record_route_second = &kRecordRoute;
  const std::optional<std::string> out = Forwarded(c, edits);
  ASSERT_TRUE(out.has_value());
  EXPECT_NE(out->find("max-forwards:\t70\r\nRecord-Route: <sip:192.0.2.1:5060;transport=tcp;lr>"
                      "\r\nRecord-Route: <sip:192.0.2.1:5060;lr>\r\n"
                      "Record-Route: <sip:192.0.2.9;lr>\r\n"),
            std::string::npos)
      << *out;
}

TEST(OwnEdits, ARouteLineWithTwoEntriesGoesOutAsTheEngineWritesIt) {
  Case c;
  std::string invite = kInvite;
  invite.replace(invite.find("Route: <sip:192.0.2.1:5060;lr>\r\nRoute: "), 39,
                 "Route: <sip:192.0.2.1:5060;lr>,  ");
  Load(c, invite);
  OwnEdits edits;
  edits.routes_removed = PopOwnRoutes(*c.edited, IsSelf);
  ASSERT_EQ(edits.routes_removed, 1);
  // sofia encodes the entry left on the line again, here as the engine writes it.
  const std::optional<std::string> out = Forwarded(c, edits);
  ASSERT_TRUE(out.has_value());
  EXPECT_NE(out->find("\r\nRoute: <sip:192.0.2.7;lr>\r\n"), std::string::npos) << *out;
}

TEST(OwnEdits, ARouteEntrySofiaWouldWriteOtherwiseIsLeftToTheEngine) {
  Case c;
  std::string invite = kInvite;
  invite.replace(invite.find("Route: <sip:192.0.2.1:5060;lr>\r\nRoute: "), 39,
                 "Route: <sip:192.0.2.1:5060;lr>,  ");
  invite.replace(invite.find("<sip:192.0.2.7;lr>"), 18, "<sip:192.0.2.7;lr> ; x = 1");
  Load(c, invite);
  OwnEdits edits;
  edits.routes_removed = PopOwnRoutes(*c.edited, IsSelf);
  ASSERT_EQ(edits.routes_removed, 1);
  // The engine keeps the entry as written, sofia would not: no copy, the engine's bytes are
  // parsed instead.
  EXPECT_FALSE(Forwarded(c, edits).has_value());
}

TEST(OwnEdits, AProfileEditMakesTheBytesDiffer) {
  Case c;
  Load(c, kInvite);
  c.edited->InsertHeader(3, "Subject", "added by a rule");
  EXPECT_FALSE(Forwarded(c, OwnEdits{}).has_value());
}

TEST(OwnEdits, AResponseLosesTheProxysVia) {
  Case c;
  Load(c,
       "SIP/2.0 200 OK\r\n"
       "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-proxy\r\n"
       "v: SIP/2.0/UDP 192.0.2.9:5070;branch=z9hG4bK-1;rport=5070\r\n"
       "f: <sip:alice@192.0.2.9>;tag=a\r\n"
       "t: <sip:bob@192.0.2.2>;tag=b\r\n"
       "i: call-1\r\n"
       "CSeq: 1 INVITE\r\n"
       "Allow: INVITE,ACK,CANCEL,BYE,UPDATE\r\n"
       "l: 0\r\n"
       "\r\n");
  OwnEdits edits;
  edits.top_via_removed = PopTopVia(*c.edited);
  const std::optional<std::string> out = Forwarded(c, edits);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->rfind("SIP/2.0 200 OK\r\nv: SIP/2.0/UDP 192.0.2.9:5070;", 0), 0u) << *out;
}

TEST(OwnEdits, AViaLineWithTwoEntriesIsLeftToTheEngine) {
  Case c;
  Load(c,
       "SIP/2.0 180 Ringing\r\n"
       "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-proxy, SIP/2.0/UDP  192.0.2.9:5070"
       " ; branch=z9hG4bK-1\r\n"
       "f: <sip:alice@192.0.2.9>;tag=a\r\nt: <sip:bob@192.0.2.2>;tag=b\r\n"
       "i: call-1\r\nCSeq: 1 INVITE\r\nl: 0\r\n\r\n");
  OwnEdits edits;
  edits.top_via_removed = PopTopVia(*c.edited);
  // The engine keeps the second entry's spacing, sofia would encode it again.
  EXPECT_FALSE(Forwarded(c, edits).has_value());
}

}  // namespace
}  // namespace smc::proxy
