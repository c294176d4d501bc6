// Trunk lookups of a configuration snapshot: by source, by next-hop address, the proxy itself.
#include "runtime_config.h"

#include <gtest/gtest.h>

#include <memory>

namespace smc::proxy {
namespace {

TrunkConfig Trunk(std::string name, std::vector<IpPort> sources, std::string host,
                  uint16_t port, std::string route_to = "") {
  TrunkConfig t;
  t.name = std::move(name);
  t.sources = std::move(sources);
  t.host = std::move(host);
  t.port = port;
  t.route_to = std::move(route_to);
  return t;
}

std::shared_ptr<const ProxyConfig> Config() {
  auto c = std::make_shared<ProxyConfig>();
  c->listen.address = {"10.0.0.1", 5060};
  c->listen.advertised_host = "sbc.example.net";
  c->trunks.push_back(Trunk("carrier", {{"192.0.2.10", 5060}, {"192.0.2.11", 0}},
                            "192.0.2.10", 5060, "pbx"));
  c->trunks.push_back(Trunk("pbx", {{"192.0.2.11", 5070}}, "pbx.example.net", 5070));
  c->default_trunk = "pbx";
  return c;
}

class RuntimeConfigTest : public ::testing::Test {
 protected:
  ProxyMetrics metrics_;
  std::shared_ptr<const RuntimeConfig> rc_ = RuntimeConfig::Build(Config(), &metrics_, 7);
};

TEST_F(RuntimeConfigTest, AnIpPortSourceWinsOverAnIpOnlyOne) {
  EXPECT_EQ(rc_->FindBySource("192.0.2.10", 5060)->name(), "carrier");
  EXPECT_EQ(rc_->FindBySource("192.0.2.11", 5070)->name(), "pbx");
  // Any other port of 192.0.2.11 (a TCP connection's) is the carrier's ip-only entry.
  EXPECT_EQ(rc_->FindBySource("192.0.2.11", 40123)->name(), "carrier");
  EXPECT_EQ(rc_->FindBySource("192.0.2.99", 5060), nullptr);
}

TEST_F(RuntimeConfigTest, FindsTheTrunkANextHopAddressNames) {
  EXPECT_EQ(rc_->FindByAddress("PBX.example.net", 5070)->name(), "pbx");
  EXPECT_EQ(rc_->FindByAddress("192.0.2.10", 5060)->name(), "carrier");
  EXPECT_EQ(rc_->FindByAddress("192.0.2.11", 5070)->name(), "pbx");  // an ip:port source
  EXPECT_EQ(rc_->FindByAddress("192.0.2.11", 5071), nullptr);
}

TEST_F(RuntimeConfigTest, ResolvesRouteToAndTheDefaultTrunk) {
  EXPECT_EQ(rc_->FindByName("carrier")->route_to, rc_->FindByName("pbx"));
  EXPECT_EQ(rc_->FindByName("pbx")->route_to, nullptr);
  EXPECT_EQ(rc_->default_trunk(), rc_->FindByName("pbx"));
  EXPECT_EQ(rc_->generation(), 7u);
}

TEST_F(RuntimeConfigTest, RecognisesItselfByListenAndAdvertisedAddress) {
  EXPECT_TRUE(rc_->IsSelf("10.0.0.1", 5060));
  EXPECT_TRUE(rc_->IsSelf("SBC.example.net", 5060));
  EXPECT_FALSE(rc_->IsSelf("10.0.0.1", 5061));
  EXPECT_EQ(rc_->record_route(SipTransport::kUdp), "<sip:sbc.example.net:5060;lr>");
  EXPECT_EQ(rc_->record_route(SipTransport::kTcp),
            "<sip:sbc.example.net:5060;transport=tcp;lr>");
}

TEST_F(RuntimeConfigTest, CountersAreResolvedPerTrunk) {
  const TrunkRuntime* carrier = rc_->FindByName("carrier");
  carrier->counters.received_requests->Increment();
  // A later snapshot resolves the same series: counting goes on across reloads.
  auto again = RuntimeConfig::Build(Config(), &metrics_, 8);
  EXPECT_EQ(again->FindByName("carrier")->counters.received_requests->Value(), 1);
  EXPECT_EQ(again->FindByName("pbx")->counters.received_requests->Value(), 0);
}

}  // namespace
}  // namespace smc::proxy
