// One immutable configuration snapshot as the proxy uses it: the loaded ProxyConfig plus
// what the message path needs precomputed (trunk lookups by address, counters, the
// Record-Route values). A reload builds a new one; each transaction keeps the one it
// started with.
#ifndef SMC_INTEGRATION_RUNTIME_CONFIG_H_
#define SMC_INTEGRATION_RUNTIME_CONFIG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "proxy_metrics.h"
#include "smc/proxy_config.h"

namespace smc::proxy {

struct TrunkRuntime {
  const TrunkConfig* config = nullptr;
  const TrunkRuntime* route_to = nullptr;
  TrunkCounters counters;
  const std::string& name() const { return config->name; }
};

class RuntimeConfig {
 public:
  // `generation` numbers snapshots in logs (1 for the first).
  static std::shared_ptr<const RuntimeConfig> Build(std::shared_ptr<const ProxyConfig> config,
                                                    ProxyMetrics* metrics, uint64_t generation);

  const ProxyConfig& config() const { return *config_; }
  uint64_t generation() const { return generation_; }
  const std::vector<TrunkRuntime>& trunks() const { return trunks_; }

  // The trunk a message from ip:port comes from: an ip:port source entry first, then an
  // ip-only one. `ip` is in canonical text form (as inet_ntop writes it).
  const TrunkRuntime* FindBySource(std::string_view ip, uint16_t port) const;
  // The trunk reached at host:port: its address, else one of its ip:port sources.
  const TrunkRuntime* FindByAddress(std::string_view host, uint16_t port) const;
  const TrunkRuntime* FindByName(std::string_view name) const;
  const TrunkRuntime* default_trunk() const { return default_trunk_; }

  // True when host:port names the proxy itself (listen or advertised address).
  bool IsSelf(std::string_view host, uint16_t port) const;
  // "<sip:HOST:PORT;lr>" or "<sip:HOST:PORT;transport=tcp;lr>".
  const std::string& record_route(SipTransport transport) const {
    return transport == SipTransport::kTcp ? record_route_tcp_ : record_route_udp_;
  }

 private:
  RuntimeConfig() = default;
  static std::string Key(std::string_view host, uint16_t port);

  std::shared_ptr<const ProxyConfig> config_;
  uint64_t generation_ = 0;
  std::vector<TrunkRuntime> trunks_;
  const TrunkRuntime* default_trunk_ = nullptr;
  std::unordered_map<std::string, const TrunkRuntime*> by_source_;     // "ip|port"
  std::unordered_map<std::string, const TrunkRuntime*> by_source_ip_;  // "ip"
  std::unordered_map<std::string, const TrunkRuntime*> by_address_;    // "host|port"
  std::vector<std::string> self_keys_;
  std::string record_route_udp_;
  std::string record_route_tcp_;
};

}  // namespace smc::proxy

#endif  // SMC_INTEGRATION_RUNTIME_CONFIG_H_
