// Loading the smc-proxy configuration: what a valid file gives, and every refusal with the
// position and JSON pointer of the offending fragment.
#include "smc/proxy_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace smc {
namespace {

namespace fs = std::filesystem;

const char kProfile[] = R"({"ProfileID": 17, "ProfileName": "Strip UPDATE", "Rules": [
  {"MsgType": "RESPONSE", "Action": "REPLACE_MSG", "ReplaceDefs": [
    {"ReplaceType": "FINDSUB_LINES", "Header": "Allow", "Regex1": ",UPDATE", "Output": ""}]}]})";

class ProxyConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("smc_proxy_config_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "profiles");
    Write("profiles/strip.json", kProfile);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }

  ProxyConfigResult Load(const std::string& text, ProxyConfigOptions options = {}) {
    return LoadProxyConfig(Write("proxy.json", text), options);
  }

  // The one diagnostic whose pointer is `pointer`; fails the test when there is none.
  Diagnostic Find(const ProxyConfigResult& r, const std::string& pointer) {
    for (const Diagnostic& d : r.diagnostics) {
      if (d.pointer == pointer) return d;
    }
    ADD_FAILURE() << "no diagnostic at " << pointer << "; got:\n" << All(r);
    return {};
  }

  static std::string All(const ProxyConfigResult& r) {
    std::string out;
    for (const Diagnostic& d : r.diagnostics) out += FormatDiagnostic(d) + "\n";
    return out;
  }

  fs::path dir_;
};

const char kValid[] = R"({
  "listen": {"address": "127.0.0.1:5062", "transports": ["udp"], "advertise": "sbc.example.net"},
  "metrics": {"address": "127.0.0.1:9470"},
  "log_level": "debug",
  "timers": {"t1_ms": 250, "t2_ms": 4000, "timer_c_ms": 180000},
  "limits": {"max_message_bytes": 32768},
  "default_trunk": "pbx",
  "trunks": [
    {"name": "carrier", "sources": ["192.0.2.10:5060", "192.0.2.11"],
     "address": "sip:192.0.2.10;transport=TCP", "route_to": "pbx",
     "ingress": ["profiles/strip.json"],
     "session_timer": {"enabled": true, "min_se": 90, "session_expires": 600,
                       "max_session_expires": 3600, "on_expiry": "bye"}},
    {"name": "pbx", "sources": ["192.0.2.20:5070"], "address": "192.0.2.20:5070",
     "egress": ["profiles/strip.json", "profiles/strip.json"]}
  ]
})";

TEST_F(ProxyConfigTest, AValidFileGivesACompleteSnapshot) {
  ProxyConfigResult r = Load(kValid);
  ASSERT_TRUE(r.ok()) << All(r);
  const ProxyConfig& c = *r.config;
  EXPECT_EQ(c.listen.address.ip, "127.0.0.1");
  EXPECT_EQ(c.listen.address.port, 5062);
  EXPECT_TRUE(c.listen.udp);
  EXPECT_FALSE(c.listen.tcp);
  EXPECT_EQ(c.self_host(), "sbc.example.net");
  EXPECT_EQ(c.self_port(), 5062);
  EXPECT_EQ(c.metrics.address.port, 9470);
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.timers.t1_ms, 250u);
  EXPECT_EQ(c.timers.effective_t1x64_ms(), 64u * 250);
  EXPECT_EQ(c.limits.max_message_bytes, 32768u);
  ASSERT_EQ(c.trunks.size(), 2u);

  const TrunkConfig* carrier = c.FindTrunk("carrier");
  ASSERT_NE(carrier, nullptr);
  EXPECT_EQ(carrier->uri, "sip:192.0.2.10:5060;transport=tcp");
  ASSERT_EQ(carrier->sources.size(), 2u);
  EXPECT_EQ(carrier->sources[1].port, 0);  // ip only: any port
  EXPECT_EQ(carrier->route_to, "pbx");
  EXPECT_EQ(carrier->ingress.profiles().size(), 1u);
  EXPECT_TRUE(carrier->egress.empty());
  EXPECT_TRUE(carrier->session_timer.enabled);
  EXPECT_EQ(carrier->session_timer.min_se, 90u);
  EXPECT_EQ(carrier->session_timer.session_expires, 600u);
  EXPECT_EQ(carrier->session_timer.max_session_expires, 3600u);
  EXPECT_EQ(carrier->session_timer.on_expiry, SessionTimerPolicy::ExpiryAction::kBye);

  const TrunkConfig* pbx = c.FindTrunk("pbx");
  ASSERT_NE(pbx, nullptr);
  EXPECT_EQ(pbx->uri, "sip:192.0.2.20:5070");
  EXPECT_FALSE(pbx->transport.has_value());
  // One file listed twice is compiled once and applied twice.
  ASSERT_EQ(pbx->egress.profiles().size(), 2u);
  EXPECT_EQ(pbx->egress.profiles()[0], pbx->egress.profiles()[1]);
  EXPECT_EQ(pbx->egress.profiles()[0], carrier->ingress.profiles()[0]);
  EXPECT_EQ(c.default_trunk, "pbx");
}

TEST_F(ProxyConfigTest, DefaultsAreNtasAndTheLoopback) {
  ProxyConfigResult r = Load(R"({"trunks": []})");
  ASSERT_TRUE(r.ok()) << All(r);
  EXPECT_EQ(r.config->listen.address.ip, "127.0.0.1");
  EXPECT_EQ(r.config->listen.address.port, 5060);
  EXPECT_TRUE(r.config->listen.udp && r.config->listen.tcp);
  EXPECT_EQ(r.config->timers.t1_ms, 500u);
  EXPECT_EQ(r.config->timers.effective_t1x64_ms(), 32000u);
  EXPECT_EQ(r.config->timers.timer_c_ms, 185000u);
  EXPECT_EQ(r.config->log_level, "info");
}

TEST_F(ProxyConfigTest, ADuplicateTrunkNameIsAnErrorAtTheSecondName) {
  ProxyConfigResult r = Load(
      "{\"trunks\": [\n"
      "  {\"name\": \"a\", \"address\": \"192.0.2.1\"},\n"
      "  {\"name\": \"a\", \"address\": \"192.0.2.2\"}\n"
      "]}");
  EXPECT_FALSE(r.ok());
  Diagnostic d = Find(r, "/trunks/1/name");
  EXPECT_EQ(d.severity, Severity::kError);
  EXPECT_EQ(d.pos.line, 3);
  EXPECT_EQ(d.pos.column, 12);
  EXPECT_NE(FormatDiagnostic(d).find("proxy.json:3:12: error: /trunks/1/name: duplicate trunk "
                                     "name 'a'"),
            std::string::npos)
      << FormatDiagnostic(d);
}

TEST_F(ProxyConfigTest, AnUnknownProfilePathIsReportedAtThePathString) {
  ProxyConfigResult r = Load(
      "{\"trunks\": [{\"name\": \"a\", \"address\": \"192.0.2.1\",\n"
      "  \"ingress\": [\"profiles/strip.json\", \"profiles/missing.json\"]}]}");
  EXPECT_FALSE(r.ok());
  Diagnostic d = Find(r, "/trunks/0/ingress/1");
  EXPECT_EQ(d.pos.line, 2);
  EXPECT_EQ(d.pos.column, 38);
  EXPECT_NE(d.message.find("profiles/missing.json"), std::string::npos);
}

TEST_F(ProxyConfigTest, ProfileErrorsAreForwardedNamingTheProfileFile) {
  const std::string bad = Write("profiles/bad.json", R"({"ProfileID": 1, "ProfileName": "x",
    "Rules": [{"Action": "REPLACE_MSG", "ReplaceDefs": [
      {"ReplaceType": "FINDSUB_LINES", "Header": "Allow", "Regex1": "(", "Output": ""}]}]})");
  ProxyConfigResult r =
      Load(R"({"trunks": [{"name": "a", "address": "192.0.2.1", "egress": ["profiles/bad.json"]}]})");
  EXPECT_FALSE(r.ok());
  bool found = false;
  for (const Diagnostic& d : r.diagnostics) {
    if (d.severity == Severity::kError && d.file == fs::path(bad).lexically_normal().string() &&
        d.pointer == "/Rules/0/ReplaceDefs/0/Regex1") {
      found = true;
    }
  }
  EXPECT_TRUE(found) << All(r);
}

TEST_F(ProxyConfigTest, InvalidAddressesAreErrors) {
  ProxyConfigResult r = Load(R"({
    "listen": {"address": "localhost:5060"},
    "metrics": {"address": "127.0.0.1"},
    "trunks": [{"name": "a", "address": "sip:192.0.2.1:70000",
                "sources": ["192.0.2.300", "192.0.2.1:0"]},
               {"name": "b", "address": "sip:bob@192.0.2.2"},
               {"name": "c", "address": "192.0.2.3;transport=sctp"}]})");
  EXPECT_FALSE(r.ok());
  for (const char* p : {"/listen/address", "/metrics/address", "/trunks/0/address",
                        "/trunks/0/sources/0", "/trunks/0/sources/1", "/trunks/1/address",
                        "/trunks/2/address"}) {
    EXPECT_EQ(Find(r, p).severity, Severity::kError) << p;
  }
}

TEST_F(ProxyConfigTest, BadTimerValuesAreErrors) {
  ProxyConfigResult r = Load(R"({"timers": {"t1_ms": 0, "t4_ms": "5s", "t2_ms": 100,
                                           "timer_c_ms": 1.5}, "trunks": []})");
  EXPECT_FALSE(r.ok());
  EXPECT_NE(Find(r, "/timers/t1_ms").message.find("out of range"), std::string::npos);
  EXPECT_NE(Find(r, "/timers/t4_ms").message.find("integer"), std::string::npos);
  EXPECT_NE(Find(r, "/timers/timer_c_ms").message.find("integer"), std::string::npos);

  ProxyConfigResult order = Load(R"({"timers": {"t1_ms": 500, "t2_ms": 100}, "trunks": []})");
  EXPECT_NE(Find(order, "/timers/t2_ms").message.find("below t1_ms"), std::string::npos);
}

TEST_F(ProxyConfigTest, SessionTimerPolicyFollowsRfc4028) {
  ProxyConfigResult r = Load(R"({"trunks": [
    {"name": "a", "address": "192.0.2.1", "session_timer": {"min_se": 89}},
    {"name": "b", "address": "192.0.2.2", "session_timer": {"min_se": 1800,
                                                            "session_expires": 900}},
    {"name": "c", "address": "192.0.2.3", "session_timer": {"on_expiry": "hangup"}}]})");
  EXPECT_FALSE(r.ok());
  EXPECT_NE(Find(r, "/trunks/0/session_timer/min_se").message.find("90"), std::string::npos);
  EXPECT_NE(Find(r, "/trunks/1/session_timer/session_expires").message.find("below min_se"),
            std::string::npos);
  EXPECT_NE(Find(r, "/trunks/2/session_timer/on_expiry").message.find("forget"),
            std::string::npos);
}

TEST_F(ProxyConfigTest, UnknownKeysWarnAndFailUnderStrict) {
  const char text[] = R"({"trunks": [{"name": "a", "address": "192.0.2.1", "colour": "red"}]})";
  ProxyConfigResult r = Load(text);
  ASSERT_TRUE(r.ok()) << All(r);
  Diagnostic d = Find(r, "/trunks/0/colour");
  EXPECT_EQ(d.severity, Severity::kWarning);
  EXPECT_EQ(d.pos.column, 51);  // the key, not its value

  ProxyConfigOptions strict;
  strict.strict = true;
  ProxyConfigResult s = Load(text, strict);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(Find(s, "/trunks/0/colour").severity, Severity::kError);
}

TEST_F(ProxyConfigTest, CrossReferencesMustNameTrunks) {
  ProxyConfigResult r = Load(R"({"default_trunk": "nobody",
    "trunks": [{"name": "a", "address": "192.0.2.1", "route_to": "b"}]})");
  EXPECT_FALSE(r.ok());
  Find(r, "/default_trunk");
  Find(r, "/trunks/0/route_to");
}

TEST_F(ProxyConfigTest, StructuralErrors) {
  EXPECT_FALSE(Find(Load("{}"), "").message.empty());                 // no trunks
  EXPECT_FALSE(Load("[1, 2]").ok());                                  // not an object
  ProxyConfigResult parse = Load("{\"trunks\": [}");
  ASSERT_EQ(parse.diagnostics.size(), 1u);
  EXPECT_EQ(parse.diagnostics[0].pos.line, 1);
  ProxyConfigResult dup = Load(R"({"trunks": [], "trunks": []})");
  EXPECT_FALSE(dup.ok());
  Find(dup, "/trunks");
  EXPECT_FALSE(LoadProxyConfig((dir_ / "absent.json").string()).ok());
}

TEST_F(ProxyConfigTest, TheShippedConfigurationIsValid) {
  const std::vector<Diagnostic> diags =
      ValidateProxyConfigFile(std::string(SMC_SOURCE_DIR) + "/profiles/smc-proxy.json");
  for (const Diagnostic& d : diags) {
    EXPECT_NE(d.severity, Severity::kError) << FormatDiagnostic(d);
  }
  ProxyConfigResult r = LoadProxyConfig(std::string(SMC_SOURCE_DIR) + "/profiles/smc-proxy.json");
  ASSERT_TRUE(r.ok());
  // Each VSXi profile where its field case puts it (see the trunks' descriptions).
  const TrunkConfig* carrier = r.config->FindTrunk("carrier");
  const TrunkConfig* pbx = r.config->FindTrunk("pbx");
  ASSERT_NE(carrier, nullptr);
  ASSERT_NE(pbx, nullptr);
  ASSERT_EQ(carrier->ingress.profiles().size(), 1u);
  EXPECT_EQ(carrier->ingress.profiles()[0]->id(), "17");
  ASSERT_EQ(pbx->ingress.profiles().size(), 1u);
  EXPECT_EQ(pbx->ingress.profiles()[0]->id(), "18");
  ASSERT_EQ(pbx->egress.profiles().size(), 1u);
  EXPECT_EQ(pbx->egress.profiles()[0]->id(), "100");
  EXPECT_TRUE(carrier->session_timer.enabled);
  EXPECT_EQ(carrier->session_timer.min_se, 1800u);
  EXPECT_EQ(carrier->session_timer.on_expiry, SessionTimerPolicy::ExpiryAction::kBye);
  EXPECT_FALSE(pbx->session_timer.enabled);
  EXPECT_EQ(carrier->route_to, "pbx");
  EXPECT_EQ(pbx->route_to, "carrier");
}

}  // namespace
}  // namespace smc
