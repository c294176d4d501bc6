// The header grammar the enforcer relies on: Session-Expires / Min-SE values, option tags,
// and the name-addr pieces (tags, URIs, Record-Route lists) that identify and route dialogs.
#include "session_timer_headers.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "smc/sip_message.h"

namespace smc::internal::sst {
namespace {

TEST(SessionTimerHeadersTest, IntervalWithParametersKeepsThemAsWritten) {
  std::optional<IntervalValue> v = ParseInterval("90 ; Refresher = UAS ;x=\"a;b\"");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->seconds, 90u);
  EXPECT_EQ(v->refresher, Refresher::kUas);
  EXPECT_EQ(v->rest, " ; Refresher = UAS ;x=\"a;b\"");

  v = ParseInterval("1800;refresher=uac");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->refresher, Refresher::kUac);

  v = ParseInterval("1800");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->refresher, Refresher::kNone);
  EXPECT_EQ(v->rest, "");
}

TEST(SessionTimerHeadersTest, UnknownRefresherValueIsNoRefresher) {
  std::optional<IntervalValue> v = ParseInterval("1800;refresher=proxy");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->refresher, Refresher::kNone);
}

TEST(SessionTimerHeadersTest, HugeIntervalSaturatesLikeDeltaSeconds) {
  std::optional<IntervalValue> v = ParseInterval("99999999999999999999");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->seconds, std::numeric_limits<uint32_t>::max());
}

TEST(SessionTimerHeadersTest, NonNumericIntervalsAreRefused) {
  for (const char* bad : {"", "abc", "18 00", "1800 s", "-90", ";refresher=uac"}) {
    EXPECT_FALSE(ParseInterval(bad)) << bad;
  }
}

TEST(SessionTimerHeadersTest, TagIsTheHeaderParameterNotOneInTheUriOrDisplayName) {
  EXPECT_EQ(HeaderParam("\"Bob;tag=fake\" <sip:b@x;tag=uri>;tag=real", "tag"), "real");
  EXPECT_EQ(HeaderParam("sip:b@x;TAG=abc", "tag"), "abc");
  EXPECT_FALSE(HeaderParam("<sip:b@x;tag=uri>", "tag"));
  EXPECT_EQ(HeaderParam("<sip:b@x>;lr", "lr"), "");
}

TEST(SessionTimerHeadersTest, AddressUriOfNameAddrAndAddrSpec) {
  EXPECT_EQ(AddressUri("\"A <B>\" <sip:a@b;lr>;x=y"), "sip:a@b;lr");
  EXPECT_EQ(AddressUri("sip:a@b:5060;expires=3600"), "sip:a@b:5060");
  EXPECT_EQ(AddressUri("  <sip:a@b>  "), "sip:a@b");
}

TEST(SessionTimerHeadersTest, ListSplitsOnlyOnSeparatingCommas) {
  std::vector<std::string_view> e =
      SplitHeaderList("<sip:a,b@x;lr>, \"x,y\" <sip:c>,<sip:d>,  ");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0], "<sip:a,b@x;lr>");
  EXPECT_EQ(e[1], "\"x,y\" <sip:c>");
  EXPECT_EQ(e[2], "<sip:d>");
}

TEST(SessionTimerHeadersTest, LooseRoutingParameter) {
  EXPECT_TRUE(UriHasLr("sip:p.example;lr"));
  EXPECT_TRUE(UriHasLr("sip:p.example;transport=udp;LR=on"));
  EXPECT_FALSE(UriHasLr("sip:p.example;lrx"));
  EXPECT_FALSE(UriHasLr("sip:p.example"));
  EXPECT_FALSE(UriHasLr("sip:p.example?h=;lr"));
}

TEST(SessionTimerHeadersTest, OptionTagsAcrossLinesAndCompactForm) {
  std::optional<SipMessage> m = SipMessage::Parse(
      "INVITE sip:b@x SIP/2.0\r\n"
      "Supported: 100rel\r\n"
      "k: replaces, Timer\r\n"
      "Require: 100rel\r\n"
      "Content-Length: 0\r\n\r\n");
  ASSERT_TRUE(m);
  EXPECT_TRUE(HasOptionTag(*m, HeaderId::kSupported, "timer"));
  EXPECT_FALSE(HasOptionTag(*m, HeaderId::kRequire, "timer"));
  AddOptionTag(*m, HeaderId::kRequire, "timer");
  EXPECT_EQ(m->header_value(m->FindHeader(HeaderId::kRequire)), "100rel, timer");
  AddOptionTag(*m, HeaderId::kRequire, "timer");  // listed already: unchanged
  EXPECT_EQ(m->header_value(m->FindHeader(HeaderId::kRequire)), "100rel, timer");
}

TEST(SessionTimerHeadersTest, CSeqNumberAndMethod) {
  std::optional<CSeqValue> c = ParseCSeq(" 4711  UPDATE ");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->number, 4711u);
  EXPECT_EQ(c->method, "UPDATE");
  EXPECT_FALSE(ParseCSeq("INVITE"));
  EXPECT_FALSE(ParseCSeq("12"));
}

}  // namespace
}  // namespace smc::internal::sst
