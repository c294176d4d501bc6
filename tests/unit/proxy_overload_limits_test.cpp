// The overload limits of the smc-proxy configuration: defaults, values read, and refusals
// naming the offending key.
#include <gtest/gtest.h>

#include <string>

#include "smc/proxy_config.h"

namespace smc {
namespace {

ProxyConfigResult Parse(const std::string& limits) {
  const std::string text = R"({"limits": )" + limits + R"(,
    "trunks": [{"name": "a", "address": "127.0.0.1:5070"}]})";
  return ParseProxyConfig(text, "proxy.json", "");
}

std::string Errors(const ProxyConfigResult& r) {
  std::string out;
  for (const Diagnostic& d : r.diagnostics) out += FormatDiagnostic(d) + "\n";
  return out;
}

TEST(ProxyOverloadLimitsTest, DefaultsAreDocumented) {
  const ProxyConfigResult r = Parse("{}");
  ASSERT_TRUE(r.ok()) << Errors(r);
  EXPECT_EQ(r.config->limits.max_calls_in_setup, 5000u);
  EXPECT_EQ(r.config->limits.max_queue_delay_ms, 100u);
  EXPECT_EQ(r.config->limits.retry_after_s, 5u);
}

TEST(ProxyOverloadLimitsTest, ValuesAreRead) {
  const ProxyConfigResult r =
      Parse(R"({"max_calls_in_setup": 0, "max_queue_delay_ms": 250, "retry_after_s": 30})");
  ASSERT_TRUE(r.ok()) << Errors(r);
  EXPECT_EQ(r.config->limits.max_calls_in_setup, 0u);
  EXPECT_EQ(r.config->limits.max_queue_delay_ms, 250u);
  EXPECT_EQ(r.config->limits.retry_after_s, 30u);
}

TEST(ProxyOverloadLimitsTest, ZeroTurnsTheDelayLimitOff) {
  const ProxyConfigResult r = Parse(R"({"max_queue_delay_ms": 0})");
  ASSERT_TRUE(r.ok()) << Errors(r);
  EXPECT_EQ(r.config->limits.max_queue_delay_ms, 0u);
}

TEST(ProxyOverloadLimitsTest, RefusesADelayLimitBelowWhatALoadedProxyAlwaysSees) {
  const ProxyConfigResult r = Parse(R"({"max_queue_delay_ms": 5})");
  EXPECT_FALSE(r.ok());
  EXPECT_NE(Errors(r).find("/limits/max_queue_delay_ms"), std::string::npos) << Errors(r);
}

TEST(ProxyOverloadLimitsTest, RefusesOutOfRangeValues) {
  for (const char* limits : {R"({"max_queue_delay_ms": 60001})", R"({"retry_after_s": 0})",
                             R"({"max_calls_in_setup": -1})"}) {
    const ProxyConfigResult r = Parse(limits);
    EXPECT_FALSE(r.ok()) << limits;
    EXPECT_NE(Errors(r).find("/limits/"), std::string::npos) << Errors(r);
  }
}

}  // namespace
}  // namespace smc
