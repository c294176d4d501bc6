// A compiled rule together with what the rewriter works out for it once, when a chain is
// built, rather than on every message.
#ifndef SMC_ENGINE_RULE_PLAN_H_
#define SMC_ENGINE_RULE_PLAN_H_

#include <vector>

#include "compiled_profile.h"
#include "regex_finder.h"

namespace smc::internal {

struct ConditionPlan {
  explicit ConditionPlan(const Condition& c);
  const Condition* condition;
  RegexFinder regex1;
  RegexFinder regex2;
};

struct DefPlan {
  explicit DefPlan(const ReplaceDef& d);
  const ReplaceDef* def;
  RegexFinder regex1;
  RegexFinder regex2;
  // Entries of the innermost match a replacement needs: 1 + the highest \N of Output.
  int submatches;
};

struct RulePlan {
  explicit RulePlan(const Rule& r);
  const Rule* rule;
  std::vector<ConditionPlan> conditions;
  std::vector<DefPlan> defs;
};

}  // namespace smc::internal

#endif  // SMC_ENGINE_RULE_PLAN_H_
