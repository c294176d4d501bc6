// What the proxy reads from header text to route: URIs, parameters, lists, Via.
#include "sip_text.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cctype>
#include <string>

namespace smc::proxy {
namespace {

TEST(ParseSipUri, SplitsUserHostPortAndParams) {
  auto uri = ParseSipUri("sip:alice@Example.com:5070;transport=tcp;lr");
  ASSERT_TRUE(uri);
  EXPECT_EQ(uri->user, "alice");
  EXPECT_EQ(uri->host, "Example.com");
  EXPECT_EQ(uri->port, 5070);
  EXPECT_EQ(FindParam(uri->params, "transport"), "tcp");
  EXPECT_EQ(FindParam(uri->params, "LR"), "");  // flag parameter, name case-insensitive
  EXPECT_FALSE(FindParam(uri->params, "maddr"));
}

TEST(ParseSipUri, DefaultsThePortBySchemeAndReadsIpv6) {
  auto plain = ParseSipUri("SIP:10.0.0.1");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->port, 0);
  EXPECT_EQ(plain->port_or_default(), 5060);
  auto secure = ParseSipUri("sips:[2001:db8::1]");
  ASSERT_TRUE(secure);
  EXPECT_TRUE(secure->secure);
  EXPECT_EQ(secure->host, "2001:db8::1");
  EXPECT_EQ(secure->port_or_default(), 5061);
}

TEST(ParseSipUri, RefusesOtherSchemesAndBadPorts) {
  EXPECT_FALSE(ParseSipUri("tel:+15551234"));
  EXPECT_FALSE(ParseSipUri("sip:host:99999"));
  EXPECT_FALSE(ParseSipUri("sip:host:"));
  EXPECT_FALSE(ParseSipUri("sip:"));
  EXPECT_FALSE(ParseSipUri("sip:bad host"));
}

TEST(ParseSipUri, KeepsUserParametersInTheUserPart) {
  auto uri = ParseSipUri("sip:+1555;npdi@gw.example.net;user=phone");
  ASSERT_TRUE(uri);
  EXPECT_EQ(uri->user, "+1555;npdi");
  EXPECT_EQ(uri->host, "gw.example.net");
  EXPECT_EQ(FindParam(uri->params, "user"), "phone");
}

TEST(NameAddrUri, TakesTheUriInsideAngleBrackets) {
  EXPECT_EQ(NameAddrUri("\"Bob <the builder>\" <sip:b@x;lr>;expires=3"), "sip:b@x;lr");
  EXPECT_EQ(NameAddrUri(" <sip:10.0.0.1:5060;lr> "), "sip:10.0.0.1:5060;lr");
  EXPECT_EQ(NameAddrUri("sip:b@x;tag=1"), "sip:b@x;tag=1");
  EXPECT_EQ(NameAddrUri("<sip:unterminated"), "");
}

TEST(SplitHeaderList, SplitsOnlyAtTopLevelCommas) {
  auto parts = SplitHeaderList("<sip:a;lr>, \"x, y\" <sip:b>,<sip:c?h=1,2>  ,");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], "<sip:a;lr>");
  EXPECT_EQ(parts[1], "\"x, y\" <sip:b>");
  EXPECT_EQ(parts[2], "<sip:c?h=1,2>");
}

TEST(ParseVia, ReadsTransportSentByAndParams) {
  auto via = ParseVia("SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK1;rport");
  ASSERT_TRUE(via);
  EXPECT_EQ(via->transport, "UDP");
  EXPECT_EQ(via->host, "127.0.0.1");
  EXPECT_EQ(via->port, 5062);
  EXPECT_EQ(FindParam(via->params, "branch"), "z9hG4bK1");
  auto spaced = ParseVia("SIP / 2.0 / TCP [::1]");
  ASSERT_TRUE(spaced);
  EXPECT_EQ(spaced->transport, "TCP");
  EXPECT_EQ(spaced->host, "::1");
  EXPECT_EQ(spaced->port, 0);
  EXPECT_FALSE(ParseVia("garbage"));
}

TEST(IsValidRequestUri, AcceptsSipSipsTelAndOtherAbsoluteUris) {
  EXPECT_TRUE(IsValidRequestUri("sip:+12125551234@127.0.0.1:5060;user=phone"));
  EXPECT_TRUE(IsValidRequestUri("SIPS:bob@[::1]"));
  EXPECT_TRUE(IsValidRequestUri("tel:+12125551234"));
  EXPECT_TRUE(IsValidRequestUri("urn:service:sos"));
}

TEST(IsValidRequestUri, RefusesWhatNoNextHopCouldTakeForAUri) {
  EXPECT_FALSE(IsValidRequestUri("bob"));                       // no scheme
  EXPECT_FALSE(IsValidRequestUri("sip:bob@127.0.0.1:99999"));   // port out of range
  EXPECT_FALSE(IsValidRequestUri("sip:"));                      // nothing after the scheme
  EXPECT_FALSE(IsValidRequestUri(":bob@host"));                 // empty scheme
  EXPECT_FALSE(IsValidRequestUri("9ip:bob@host"));              // scheme not starting with a letter
  EXPECT_FALSE(IsValidRequestUri("s_p:bob@host"));              // not a scheme character
  EXPECT_FALSE(IsValidRequestUri(""));
}

TEST(CanonicalHost, WritesEveryAddressOneWay) {
  EXPECT_EQ(CanonicalHost("0:0:0:0:0:0:0:1"), "::1");
  EXPECT_EQ(CanonicalHost("Carrier.Example.COM"), "carrier.example.com");
  EXPECT_EQ(CanonicalHost("192.0.2.7"), "192.0.2.7");
}

// The IPv4 shortcut gives what inet_pton + inet_ntop give, and leaves the rest to them.
TEST(CanonicalHost, TheIpv4ShortcutAgreesWithTheLibrary) {
  auto reference = [](const std::string& s) -> std::string {
    char buf[INET6_ADDRSTRLEN];
    in_addr v4;
    if (inet_pton(AF_INET, s.c_str(), &v4) == 1) return inet_ntop(AF_INET, &v4, buf, sizeof buf);
    in6_addr v6;
    if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) return inet_ntop(AF_INET6, &v6, buf, sizeof buf);
    std::string out = s;
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  for (const std::string host :
       {"127.0.0.1", "0.0.0.0", "255.255.255.255", "10.0.0.10", "010.0.0.1", "1.2.3",
        "1.2.3.4.5", "1.2.3.256", "1.2.3.1000", "1..3.4", "1.2.3.4.", ".1.2.3", "1.2.3.-4",
        "00.1.2.3", "1.2.3.4a", "::ffff:192.0.2.7", "192.0.2.7:5060", "Host.Example", ""}) {
    EXPECT_EQ(CanonicalHost(host), reference(host)) << host;
  }
}

}  // namespace
}  // namespace smc::proxy
