#include "rule_plan.h"

#include <algorithm>

#include "line_rewrite.h"

namespace smc::internal {

ComparisonPlan::ComparisonPlan(const Comparison& c) : cmp(&c), op(c.op), regex(c.regex.get()) {}

ConditionPlan::ConditionPlan(const Condition& c)
    : condition(&c),
      target(&c.target),
      header_target(c.target.scope == Scope::kHeader),
      presence(c.cmp.op == Op::kExists || c.cmp.op == Op::kNotExists),
      regex1(c.regex1.get()),
      regex2(c.regex2.get()),
      cmp(c.cmp) {}

DefPlan::DefPlan(const ReplaceDef& d)
    : def(&d), regex1(d.regex1.get()), regex2(d.regex2.get()), submatches(1) {
  if (d.guard) guard = ComparisonPlan(*d.guard);
  if (d.output_has_refs && !d.numeric) {
    submatches = std::clamp(1 + RE2::MaxSubmatch(d.output), 1, kMaxSubmatches);
  }
}

RulePlan::RulePlan(const Rule& r)
    : rule(&r),
      any_message(r.msg_type == MsgType::kAll && r.methods.empty() && r.codes.empty()) {
  conditions.reserve(r.conditions.size());
  for (const Condition& c : r.conditions) conditions.emplace_back(c);
  defs.reserve(r.defs.size());
  for (const ReplaceDef& d : r.defs) defs.emplace_back(d);
}

}  // namespace smc::internal
