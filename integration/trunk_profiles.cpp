#include "trunk_profiles.h"

#include <optional>
#include <utility>

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
  if (message.is_request() && (message.method().empty() || message.request_uri().empty())) {
    // A rule rewrote the Request-URI, and this engine's SipMessage::SetRequestUri() can
    // leave method() and request_uri() reading "" (the new start line's spans name the wrong
    // buffer when the line fits in the room Parse() reserved) while Serialize() writes the
    // right line. What follows reads them: whether to Record-Route, routing by Request-URI,
    // the session-timer stage. Parsing the message again from its own bytes makes them agree;
    // a parsed request always has both, so this runs only when they were lost.
    if (std::optional<SipMessage> again = SipMessage::Parse(message.Serialize())) {
      message = std::move(*again);
    }
  }
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
