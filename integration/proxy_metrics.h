// The counters an operator scrapes from smc-proxy (prometheus-cpp).
//
// Label lookups cost a hash of the label set and a lock, so they happen when a configuration
// snapshot is built (ResolveTrunk), never per message: the message path only increments
// counters it already holds.
#ifndef SMC_INTEGRATION_PROXY_METRICS_H_
#define SMC_INTEGRATION_PROXY_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "smc/proxy_config.h"

namespace smc::proxy {

enum class Direction : uint8_t { kIngress = 0, kEgress = 1 };
std::string_view DirectionName(Direction d);

// Every counter of one trunk, resolved once per configuration snapshot.
struct TrunkCounters {
  prometheus::Counter* received_requests = nullptr;
  prometheus::Counter* received_responses = nullptr;
  prometheus::Counter* sent_requests = nullptr;
  prometheus::Counter* sent_responses = nullptr;
  std::array<prometheus::Counter*, 2> rewritten{};      // by Direction
  std::array<prometheus::Counter*, 2> edits_refused{};  // by Direction
  // [Direction][index of the profile in the chain][rule index]: rules that changed a message.
  std::array<std::vector<std::vector<prometheus::Counter*>>, 2> rule_rewrites;
};

class ProxyMetrics {
 public:
  ProxyMetrics();
  ProxyMetrics(const ProxyMetrics&) = delete;
  ProxyMetrics& operator=(const ProxyMetrics&) = delete;

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

  // The counters of `trunk` and of each rule of its chains. Counting continues across
  // reloads for the same label values.
  TrunkCounters ResolveTrunk(const TrunkConfig& trunk);
  // Messages from sources that match no trunk.
  const TrunkCounters& unknown_source() const { return unknown_; }

  prometheus::Counter& reloads_done() { return *reloads_done_; }
  prometheus::Counter& reloads_failed() { return *reloads_failed_; }
  // Messages dropped or refused as malformed: by nta's parser, or by the engine's.
  prometheus::Counter& malformed_by_nta() { return *malformed_nta_; }
  prometheus::Counter& malformed_by_engine() { return *malformed_engine_; }
  // Rewrites sofia could not parse back: the message went out without the profiles' edits
  // (responses) or was refused with 500 (requests).
  prometheus::Counter& rewrite_unparseable() { return *rewrite_unparseable_; }
  // A final response the proxy generated itself (4xx, 5xx, 6xx), by status code.
  void CountLocalReply(int status);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* received_;
  prometheus::Family<prometheus::Counter>* sent_;
  prometheus::Family<prometheus::Counter>* rewritten_;
  prometheus::Family<prometheus::Counter>* refused_;
  prometheus::Family<prometheus::Counter>* rules_;
  prometheus::Family<prometheus::Counter>* local_replies_;
  prometheus::Counter* reloads_done_;
  prometheus::Counter* reloads_failed_;
  prometheus::Counter* malformed_nta_;
  prometheus::Counter* malformed_engine_;
  prometheus::Counter* rewrite_unparseable_;
  TrunkCounters unknown_;
  // Resolved on first use: index status - 300.
  std::array<prometheus::Counter*, 400> local_reply_by_status_{};
};

}  // namespace smc::proxy

#endif  // SMC_INTEGRATION_PROXY_METRICS_H_
