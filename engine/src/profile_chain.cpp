// ProfileChain: the rules of its profiles as one ordered list, applied to a message in place.
#include <utility>

#include "chain_index.h"
#include "compiled_profile.h"
#include "rule_executor.h"
#include "smc/profile.h"

namespace smc {

ProfileChain::ProfileChain() = default;

ProfileChain::ProfileChain(std::vector<ProfilePtr> profiles)
    : profiles_(std::move(profiles)),
      index_(std::make_unique<internal::ChainIndex>(profiles_)) {}

ProfileChain::~ProfileChain() = default;
ProfileChain::ProfileChain(ProfileChain&&) noexcept = default;
ProfileChain& ProfileChain::operator=(ProfileChain&&) noexcept = default;

ApplyResult ProfileChain::Apply(SipMessage& message, const ApplyOptions& options) const {
  ApplyResult result;
  if (!index_ || index_->rules.empty()) return result;
  const bool trace = options.trace || options.explain;

  internal::ExecState state;
  internal::CandidateSet candidates(*index_, message, /*all=*/trace);
  for (size_t r = candidates.Next(0); r != internal::CandidateSet::npos;
       r = candidates.Next(r + 1)) {
    const internal::ChainIndex::Entry& entry = index_->rules[r];
    const internal::RulePlan& plan = entry.plan;
    const internal::Rule& rule = *plan.rule;
    if (!internal::RuleFilterMatches(rule, message)) continue;

    RuleEvent* event = nullptr;
    if (trace) {
      event = &result.events.emplace_back();
      event->profile = entry.profile;
      event->rule_index = entry.rule_index;
    }
    state.notes = options.explain ? &event->notes : nullptr;

    bool holds = true;
    for (const internal::ConditionPlan& condition : plan.conditions) {
      if (!internal::ConditionHolds(condition, message, state.notes)) {
        holds = false;
        break;
      }
    }
    if (!holds) continue;

    ++result.rules_applied;
    bool changed = false;
    for (const internal::DefPlan& def : plan.defs) {
      const internal::DefOutcome outcome = internal::RunReplaceDef(def, message, &state);
      changed |= outcome.changed;
      if (outcome.added_header) {
        // Rules later in the chain that need this header may apply now.
        if (const std::vector<uint32_t>* later = index_->RulesNeeding(def.def->target)) {
          candidates.AddAfter(*later, r);
        }
      }
    }
    result.changed |= changed;
    if (event != nullptr) {
      event->applied = true;
      event->changed = changed;
    }
  }
  result.edits_refused = state.edits_refused;
  return result;
}

}  // namespace smc
