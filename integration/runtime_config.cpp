#include "runtime_config.h"

#include <algorithm>

#include "sip_text.h"

namespace smc::proxy {

std::string RuntimeConfig::Key(std::string_view host, uint16_t port) {
  std::string key(host);
  key.push_back('|');
  key.append(std::to_string(port));
  return key;
}

std::shared_ptr<const RuntimeConfig> RuntimeConfig::Build(
    std::shared_ptr<const ProxyConfig> config, ProxyMetrics* metrics, uint64_t generation) {
  std::shared_ptr<RuntimeConfig> rc(new RuntimeConfig());
  rc->config_ = std::move(config);
  rc->generation_ = generation;
  const ProxyConfig& cfg = *rc->config_;
  rc->trunks_.reserve(cfg.trunks.size());  // pointers into it are taken below
  for (const TrunkConfig& t : cfg.trunks) {
    TrunkRuntime tr;
    tr.config = &t;
    tr.counters = metrics->ResolveTrunk(t);
    rc->trunks_.push_back(std::move(tr));
  }
  for (TrunkRuntime& tr : rc->trunks_) {
    if (!tr.config->route_to.empty()) tr.route_to = rc->FindByName(tr.config->route_to);
    // The first trunk to claim an address keeps it: the configuration order decides.
    for (const IpPort& src : tr.config->sources) {
      if (src.port == 0) {
        rc->by_source_ip_.emplace(src.ip, &tr);
      } else {
        rc->by_source_.emplace(Key(src.ip, src.port), &tr);
      }
    }
    rc->by_address_.emplace(Key(CanonicalHost(tr.config->host), tr.config->port), &tr);
  }
  // Source ip:port entries name a peer's address too (it usually listens where it sends
  // from), but a trunk's own address wins.
  for (TrunkRuntime& tr : rc->trunks_) {
    for (const IpPort& src : tr.config->sources) {
      if (src.port != 0) rc->by_address_.emplace(Key(src.ip, src.port), &tr);
    }
  }
  if (!cfg.default_trunk.empty()) rc->default_trunk_ = rc->FindByName(cfg.default_trunk);

  const std::string host = CanonicalHost(cfg.self_host());
  for (const std::string& h : {CanonicalHost(cfg.listen.address.ip), host}) {
    for (uint16_t p : {cfg.listen.address.port, cfg.self_port()}) {
      std::string key = Key(h, p);
      if (std::find(rc->self_keys_.begin(), rc->self_keys_.end(), key) == rc->self_keys_.end()) {
        rc->self_keys_.push_back(std::move(key));
      }
    }
  }
  const bool v6 = cfg.self_host().find(':') != std::string::npos;
  const std::string hostport = (v6 ? "[" + cfg.self_host() + "]" : cfg.self_host()) + ":" +
                               std::to_string(cfg.self_port());
  rc->record_route_udp_ = "<sip:" + hostport + ";lr>";
  rc->record_route_tcp_ = "<sip:" + hostport + ";transport=tcp;lr>";
  return rc;
}

const TrunkRuntime* RuntimeConfig::FindBySource(std::string_view ip, uint16_t port) const {
  auto it = by_source_.find(Key(ip, port));
  if (it != by_source_.end()) return it->second;
  auto ip_it = by_source_ip_.find(std::string(ip));
  return ip_it == by_source_ip_.end() ? nullptr : ip_it->second;
}

const TrunkRuntime* RuntimeConfig::FindByAddress(std::string_view host, uint16_t port) const {
  auto it = by_address_.find(Key(CanonicalHost(host), port));
  return it == by_address_.end() ? nullptr : it->second;
}

const TrunkRuntime* RuntimeConfig::FindByName(std::string_view name) const {
  for (const TrunkRuntime& t : trunks_) {
    if (t.config->name == name) return &t;
  }
  return nullptr;
}

bool RuntimeConfig::IsSelf(std::string_view host, uint16_t port) const {
  const std::string key = Key(CanonicalHost(host), port);
  return std::find(self_keys_.begin(), self_keys_.end(), key) != self_keys_.end();
}

}  // namespace smc::proxy
