// The proxy's RFC 3261 edits on the engine's message: only what they must change changes.
#include "proxy_edits.h"

#include <gtest/gtest.h>

#include <string>

namespace smc::proxy {
namespace {

SipMessage Parse(const std::string& text) {
  std::string error;
  auto m = SipMessage::Parse(text, &error);
  EXPECT_TRUE(m) << error;
  return m ? *m : *SipMessage::Parse("OPTIONS sip:x SIP/2.0\r\n\r\n");
}

const char kInvite[] =
    "INVITE sip:bob@10.0.0.2:5080 SIP/2.0\r\n"
    "v:  SIP/2.0/UDP 10.0.0.9:5070;branch=z9hG4bK-1\r\n"
    "Max-Forwards: 70\r\n"
    "f: <sip:alice@10.0.0.9>;tag=a\r\n"
    "t: <sip:bob@10.0.0.2>\r\n"
    "i: call-1\r\n"
    "CSeq: 1 INVITE\r\n"
    "Allow: INVITE\r\n"
    "Allow: BYE\r\n"
    "l: 0\r\n"
    "\r\n";

bool IsSelf(std::string_view host, uint16_t port) {
  return host == "10.0.0.1" && port == 5060;
}

TEST(DecrementMaxForwards, DecrementsAndKeepsEveryOtherByte) {
  SipMessage m = Parse(kInvite);
  EXPECT_EQ(DecrementMaxForwards(m), MaxForwardsResult::kDecremented);
  std::string expected = kInvite;
  expected.replace(expected.find("Max-Forwards: 70"), 16, "Max-Forwards: 69");
  EXPECT_EQ(m.Serialize(), expected);
}

TEST(DecrementMaxForwards, ZeroIsExhaustedAndLeftAlone) {
  std::string text = kInvite;
  text.replace(text.find("Max-Forwards: 70"), 16, "Max-Forwards: 0");
  SipMessage m = Parse(text);
  EXPECT_EQ(DecrementMaxForwards(m), MaxForwardsResult::kExhausted);
  EXPECT_FALSE(m.modified());
}

TEST(DecrementMaxForwards, InsertsSeventyWhenAbsentAndRefusesGarbage) {
  std::string text = kInvite;
  text.erase(text.find("Max-Forwards: 70\r\n"), 18);
  SipMessage m = Parse(text);
  EXPECT_EQ(DecrementMaxForwards(m), MaxForwardsResult::kInserted);
  EXPECT_NE(m.Serialize().find("Max-Forwards: 70\r\n"), std::string::npos);

  std::string bad = kInvite;
  bad.replace(bad.find("Max-Forwards: 70"), 16, "Max-Forwards: x1");
  SipMessage b = Parse(bad);
  EXPECT_EQ(DecrementMaxForwards(b), MaxForwardsResult::kMalformed);
}

std::string WithRoutes(const std::string& routes) {
  std::string text = kInvite;
  text.insert(text.find("CSeq:"), routes);
  return text;
}

TEST(PopOwnRoutes, RemovesOnlyTheProxysEntriesAtTheTop) {
  SipMessage m = Parse(WithRoutes("Route: <sip:10.0.0.1:5060;lr>, <sip:10.0.0.3;lr>\r\n"));
  EXPECT_EQ(PopOwnRoutes(m, IsSelf), 1);
  EXPECT_EQ(TopRouteUri(m), "sip:10.0.0.3;lr");

  SipMessage other = Parse(WithRoutes("Route: <sip:10.0.0.3;lr>, <sip:10.0.0.1;lr>\r\n"));
  EXPECT_EQ(PopOwnRoutes(other, IsSelf), 0);
  EXPECT_FALSE(other.modified());
}

TEST(PopOwnRoutes, RemovesBothEntriesOfADoubleRecordRoute) {
  // An entry without a port names port 5060.
  SipMessage m = Parse(WithRoutes("Route: <sip:10.0.0.1;transport=tcp;lr>\r\n"
                                  "Route: <sip:10.0.0.1:5060;lr>\r\n"));
  EXPECT_EQ(PopOwnRoutes(m, IsSelf), 2);
  EXPECT_FALSE(TopRouteUri(m));
  EXPECT_EQ(m.Serialize().find("Route:"), std::string::npos);
}

TEST(AddRecordRoute, GoesAboveExistingEntriesOrAfterTheVias) {
  SipMessage m = Parse(WithRoutes("Record-Route: <sip:10.0.0.7;lr>\r\n"));
  AddRecordRoute(m, "<sip:10.0.0.1:5060;lr>", "<sip:10.0.0.1:5060;transport=tcp;lr>");
  const std::string out = m.Serialize();
  const size_t first = out.find("Record-Route: <sip:10.0.0.1:5060;lr>");
  const size_t second = out.find("Record-Route: <sip:10.0.0.1:5060;transport=tcp;lr>");
  const size_t old = out.find("Record-Route: <sip:10.0.0.7;lr>");
  ASSERT_NE(first, std::string::npos);
  EXPECT_LT(first, second);
  EXPECT_LT(second, old);

  SipMessage fresh = Parse(kInvite);
  AddRecordRoute(fresh, "<sip:10.0.0.1:5060;lr>", "");
  EXPECT_EQ(fresh.header_name(1), "Record-Route");
  EXPECT_EQ(fresh.header_id(0), HeaderId::kVia);
}

const char kResponse[] =
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKp, SIP/2.0/UDP 10.0.0.9:5070;branch=b1\r\n"
    "v: SIP/2.0/UDP 10.0.0.8;branch=b0\r\n"
    "f: <sip:alice@10.0.0.9>;tag=a\r\n"
    "t: <sip:bob@10.0.0.2>;tag=b\r\n"
    "i: call-1\r\n"
    "CSeq: 1 INVITE\r\n"
    "l: 0\r\n"
    "\r\n";

TEST(PopTopVia, RemovesTheFirstEntryOfACombinedLine) {
  SipMessage m = Parse(kResponse);
  EXPECT_EQ(ViaEntry(m, 1), "SIP/2.0/UDP 10.0.0.9:5070;branch=b1");
  EXPECT_EQ(ViaEntry(m, 2), "SIP/2.0/UDP 10.0.0.8;branch=b0");
  ASSERT_TRUE(PopTopVia(m));
  EXPECT_EQ(ViaEntry(m, 0), "SIP/2.0/UDP 10.0.0.9:5070;branch=b1");
  EXPECT_EQ(ViaEntry(m, 2), "");
  ASSERT_TRUE(PopTopVia(m));
  EXPECT_EQ(ViaEntry(m, 0), "SIP/2.0/UDP 10.0.0.8;branch=b0");
  // The compact line the proxy never touched keeps its bytes.
  EXPECT_NE(m.Serialize().find("\r\nv: SIP/2.0/UDP 10.0.0.8;branch=b0\r\n"), std::string::npos);
}

TEST(CreatesDialog, KnowsTheDialogCreatingMethods) {
  EXPECT_TRUE(CreatesDialog("INVITE"));
  EXPECT_TRUE(CreatesDialog("subscribe"));
  EXPECT_TRUE(CreatesDialog("REFER"));
  EXPECT_FALSE(CreatesDialog("OPTIONS"));
  EXPECT_FALSE(CreatesDialog("MESSAGE"));
}

}  // namespace
}  // namespace smc::proxy
