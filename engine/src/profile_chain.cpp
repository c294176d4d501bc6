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
  state.lines.Build(message);
  // --explain says why each rule did not apply, so it runs every rule whose filter matches.
  // Tracing alone runs only the candidates, and reports the others as the rules they are:
  // not applied (a header they need is absent), or for a passive rule applied without
  // changing anything.
  internal::CandidateSet candidates(*index_, message, state.lines, /*all=*/options.explain);
  const size_t rule_count = index_->rules.size();
  uint32_t passive_ran = 0;  // passive rules run whose filter matched (counted in the loop)
  for (size_t r = trace ? 0 : candidates.Next(0); r < rule_count;
       r = trace ? r + 1 : candidates.Next(r + 1)) {
    const internal::ChainIndex::Entry& entry = index_->rules[r];
    const internal::RulePlan& plan = entry.plan;
    if (!plan.any_message && !internal::RuleFilterMatches(*plan.rule, message, &state)) continue;

    RuleEvent* event = nullptr;
    if (trace) {
      event = &result.events.emplace_back();
      event->profile = entry.profile;
      event->rule_index = entry.rule_index;
      if (!candidates.Contains(r)) {
        if (entry.passive) {
          ++result.rules_applied;
          event->applied = true;
        }
        continue;
      }
    }
    state.notes = options.explain ? &event->notes : nullptr;

    bool holds = true;
    for (const internal::ConditionPlan& condition : plan.conditions) {
      if (!internal::ConditionHolds(condition, message, &state)) {
        holds = false;
        break;
      }
    }
    if (!holds) continue;

    ++result.rules_applied;
    if (entry.passive) ++passive_ran;
    bool changed = false;
    for (const internal::DefPlan& def : plan.defs) {
      const internal::DefOutcome outcome = internal::RunReplaceDef(def, message, &state);
      changed |= outcome.changed;
      // Rules later in the chain that need this header may apply now: it was added, or a
      // line of it changed, which may give it the text a gated rule needs (chain_index.h).
      const std::vector<uint32_t>* later = nullptr;
      if (outcome.added_header) {
        later = index_->RulesNeeding(def.def->target);
      } else if (outcome.changed) {
        later = index_->GatedRulesNeeding(def.def->target);
      }
      if (later != nullptr) candidates.AddAfter(*later, r);
    }
    result.changed |= changed;
    if (event != nullptr) {
      event->applied = true;
      event->changed = changed;
    }
  }
  if (!trace) {
    // The passive rules not run: they apply to every message their filter matches.
    uint32_t passive_applied = 0;
    for (const internal::ChainIndex::PassiveGroup& group : index_->passive_groups) {
      if (internal::RuleFilterMatches(*group.filter, message, &state)) {
        passive_applied += group.size;
      }
    }
    result.rules_applied += passive_applied - passive_ran;
  }
  result.edits_refused = state.edits_refused;
  return result;
}

}  // namespace smc
