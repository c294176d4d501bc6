#include "proxy_metrics.h"

namespace smc::proxy {

std::string_view DirectionName(Direction d) {
  return d == Direction::kIngress ? "ingress" : "egress";
}

namespace {

// The trunk label of messages whose source matches no trunk.
constexpr char kUnknownTrunk[] = "-";

TrunkCounters BaseCounters(prometheus::Family<prometheus::Counter>& received,
                           prometheus::Family<prometheus::Counter>& sent,
                           prometheus::Family<prometheus::Counter>& rewritten,
                           prometheus::Family<prometheus::Counter>& refused,
                           const std::string& trunk) {
  TrunkCounters c;
  c.received_requests = &received.Add({{"trunk", trunk}, {"kind", "request"}});
  c.received_responses = &received.Add({{"trunk", trunk}, {"kind", "response"}});
  c.sent_requests = &sent.Add({{"trunk", trunk}, {"kind", "request"}});
  c.sent_responses = &sent.Add({{"trunk", trunk}, {"kind", "response"}});
  for (Direction d : {Direction::kIngress, Direction::kEgress}) {
    const std::string dir(DirectionName(d));
    c.rewritten[static_cast<size_t>(d)] = &rewritten.Add({{"trunk", trunk}, {"direction", dir}});
    c.edits_refused[static_cast<size_t>(d)] =
        &refused.Add({{"trunk", trunk}, {"direction", dir}});
  }
  return c;
}

}  // namespace

ProxyMetrics::ProxyMetrics() : registry_(std::make_shared<prometheus::Registry>()) {
  using prometheus::BuildCounter;
  received_ = &BuildCounter()
                   .Name("smc_messages_received_total")
                   .Help("SIP messages received, by trunk ('-' = unknown source) and kind")
                   .Register(*registry_);
  sent_ = &BuildCounter()
               .Name("smc_messages_sent_total")
               .Help("SIP messages sent (forwarded or generated), by trunk and kind")
               .Register(*registry_);
  rewritten_ = &BuildCounter()
                    .Name("smc_messages_rewritten_total")
                    .Help("Messages a trunk's profiles changed, by trunk and direction")
                    .Register(*registry_);
  refused_ = &BuildCounter()
                  .Name("smc_rewrite_edits_refused_total")
                  .Help("Profile edits refused at run time (they would change a dialog tag)")
                  .Register(*registry_);
  rules_ = &BuildCounter()
                .Name("smc_rule_rewrites_total")
                .Help("Messages changed by one profile rule, by trunk, direction, profile, rule")
                .Register(*registry_);
  local_replies_ = &BuildCounter()
                        .Name("smc_local_replies_total")
                        .Help("Final error responses smc-proxy generated itself, by status")
                        .Register(*registry_);
  auto& reloads = BuildCounter()
                      .Name("smc_reloads_total")
                      .Help("Configuration reloads (SIGHUP), by result")
                      .Register(*registry_);
  reloads_done_ = &reloads.Add({{"result", "done"}});
  reloads_failed_ = &reloads.Add({{"result", "failed"}});
  auto& malformed = BuildCounter()
                        .Name("smc_malformed_messages_total")
                        .Help("Malformed messages answered with 4xx or dropped, by parser")
                        .Register(*registry_);
  malformed_nta_ = &malformed.Add({{"parser", "nta"}});
  malformed_engine_ = &malformed.Add({{"parser", "engine"}});
  rewrite_unparseable_ = &BuildCounter()
                              .Name("smc_rewrite_unparseable_total")
                              .Help("Rewritten messages sofia-sip could not parse back")
                              .Register(*registry_)
                              .Add({});
  unknown_ = BaseCounters(*received_, *sent_, *rewritten_, *refused_, kUnknownTrunk);
}

TrunkCounters ProxyMetrics::ResolveTrunk(const TrunkConfig& trunk) {
  TrunkCounters c = BaseCounters(*received_, *sent_, *rewritten_, *refused_, trunk.name);
  for (Direction d : {Direction::kIngress, Direction::kEgress}) {
    const ProfileChain& chain = d == Direction::kIngress ? trunk.ingress : trunk.egress;
    auto& by_profile = c.rule_rewrites[static_cast<size_t>(d)];
    by_profile.reserve(chain.profiles().size());
    for (const ProfilePtr& profile : chain.profiles()) {
      std::vector<prometheus::Counter*> rules;
      rules.reserve(profile->rule_count());
      for (size_t r = 0; r < profile->rule_count(); ++r) {
        rules.push_back(&rules_->Add({{"trunk", trunk.name},
                                      {"direction", std::string(DirectionName(d))},
                                      {"profile", profile->id()},
                                      {"rule", std::to_string(r)}}));
      }
      by_profile.push_back(std::move(rules));
    }
  }
  return c;
}

void ProxyMetrics::CountLocalReply(int status) {
  if (status < 300 || status >= 700) return;
  prometheus::Counter*& slot = local_reply_by_status_[static_cast<size_t>(status - 300)];
  if (slot == nullptr) slot = &local_replies_->Add({{"code", std::to_string(status)}});
  slot->Increment();
}

}  // namespace smc::proxy
