#include "trunk_profiles.h"

namespace smc::proxy {

bool ApplyTrunkProfiles(const TrunkRuntime* trunk, Direction direction, SipMessage& message) {
  if (trunk == nullptr) return false;
  const size_t d = static_cast<size_t>(direction);
  const ProfileChain& chain =
      direction == Direction::kIngress ? trunk->config->ingress : trunk->config->egress;
  if (chain.empty()) return false;
  ApplyOptions options;
  options.trace = true;  // which rules changed the message: the per-rule counters
  const ApplyResult result = chain.Apply(message, options);
  const TrunkCounters& counters = trunk->counters;
  if (result.edits_refused > 0) counters.edits_refused[d]->Increment(result.edits_refused);
  if (!result.changed) return false;
  counters.rewritten[d]->Increment();
  const auto& profiles = chain.profiles();
  for (const RuleEvent& event : result.events) {
    if (!event.changed) continue;
    for (size_t p = 0; p < profiles.size(); ++p) {
      if (profiles[p].get() != event.profile) continue;
      const auto& rules = counters.rule_rewrites[d][p];
      if (event.rule_index < rules.size()) rules[event.rule_index]->Increment();
      break;
    }
  }
  return true;
}

}  // namespace smc::proxy
