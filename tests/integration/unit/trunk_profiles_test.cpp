// Applying a trunk's profiles: what the proxy reads from the message afterwards agrees with
// the bytes it sends.
#include "trunk_profiles.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "proxy_edits.h"
#include "smc/profile.h"

namespace smc::proxy {
namespace {

// The corpus's unusual-valid.sip (tests/integration/known-open/ until this was fixed): a
// short INVITE, so that the rewritten start line fits in the room Parse() reserves.
constexpr char kInvite[] =
    "INVITE sip:2125551234@127.0.0.1:5060;user=phone SIP/2.0\r\n"
    "v:SIP/2.0/UDP 127.0.0.1:40000;rport;branch=z9hG4bK-1\r\n"
    "max-forwards:\t70\r\n"
    "f: \"Alice\" <sip:alice@127.0.0.1:40000>;tag=a1\r\n"
    "t:<sip:2125551234@127.0.0.1:5060;user=phone>\r\n"
    "i: c1@127.0.0.1\r\n"
    "cseq: 1    INVITE\r\n"
    "l: 0\r\n"
    "\r\n";

class TrunkProfilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CompileResult compiled =
        CompileProfileFile(std::string(SMC_SOURCE_DIR) + "/profiles/library/normalize-e164.json");
    ASSERT_TRUE(compiled.ok());
    config_.name = "probe";
    config_.ingress = ProfileChain(compiled.profiles);
    trunk_.config = &config_;
    trunk_.counters = metrics_.ResolveTrunk(config_);
  }

  ProxyMetrics metrics_;
  TrunkConfig config_;
  TrunkRuntime trunk_;
};

TEST_F(TrunkProfilesTest, ARewrittenRequestUriKeepsTheMethodAndTheNewUriReadable) {
  std::optional<SipMessage> m = SipMessage::Parse(kInvite);
  ASSERT_TRUE(m.has_value());
  ASSERT_TRUE(ApplyTrunkProfiles(&trunk_, Direction::kIngress, *m));
  // The proxy decides on Record-Route and routes by these: empty, the INVITE went out
  // without the proxy's Record-Route.
  EXPECT_EQ(m->method(), "INVITE");
  EXPECT_EQ(m->request_uri(), "sip:+12125551234@127.0.0.1:5060;user=phone");
  EXPECT_TRUE(CreatesDialog(m->method()));
  AddRecordRoute(*m, "<sip:127.0.0.1:5060;lr>", "");
  const std::string bytes = m->Serialize();
  EXPECT_EQ(bytes.rfind("INVITE sip:+12125551234@127.0.0.1:5060;user=phone SIP/2.0\r\n", 0), 0u)
      << bytes;
  EXPECT_NE(bytes.find("\r\nRecord-Route: <sip:127.0.0.1:5060;lr>\r\n"), std::string::npos);
  EXPECT_NE(bytes.find("\r\nt: <sip:+12125551234@127.0.0.1:5060;user=phone>\r\n"),
            std::string::npos);
  EXPECT_NE(bytes.find("\r\nmax-forwards:\t70\r\n"), std::string::npos);  // untouched
}

TEST_F(TrunkProfilesTest, AMessageNoRuleMatchesIsLeftAsItIs) {
  std::optional<SipMessage> m = SipMessage::Parse(
      "BYE sip:2125551234@127.0.0.1:5060 SIP/2.0\r\n"
      "v: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bK-2\r\n"
      "f: <sip:alice@127.0.0.1>;tag=a1\r\nt: <sip:bob@127.0.0.1>;tag=b1\r\n"
      "i: c2@127.0.0.1\r\ncseq: 2 BYE\r\nl: 0\r\n\r\n");
  ASSERT_TRUE(m.has_value());
  EXPECT_FALSE(ApplyTrunkProfiles(&trunk_, Direction::kIngress, *m));
  EXPECT_FALSE(m->modified());
}

}  // namespace
}  // namespace smc::proxy
