#include "rule_plan.h"

#include <algorithm>

#include "line_rewrite.h"

namespace smc::internal {

ConditionPlan::ConditionPlan(const Condition& c)
    : condition(&c), regex1(c.regex1.get()), regex2(c.regex2.get()) {}

DefPlan::DefPlan(const ReplaceDef& d)
    : def(&d), regex1(d.regex1.get()), regex2(d.regex2.get()), submatches(1) {
  if (d.output_has_refs && !d.numeric) {
    submatches = std::clamp(1 + RE2::MaxSubmatch(d.output), 1, kMaxSubmatches);
  }
}

RulePlan::RulePlan(const Rule& r) : rule(&r) {
  conditions.reserve(r.conditions.size());
  for (const Condition& c : r.conditions) conditions.emplace_back(c);
  defs.reserve(r.defs.size());
  for (const ReplaceDef& d : r.defs) defs.emplace_back(d);
}

}  // namespace smc::internal
