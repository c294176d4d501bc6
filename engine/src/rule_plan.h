// A compiled rule together with what the rewriter works out for it once, when a chain is
// built, rather than on every message.
#ifndef SMC_ENGINE_RULE_PLAN_H_
#define SMC_ENGINE_RULE_PLAN_H_

#include <string_view>
#include <vector>

#include "compiled_profile.h"
#include "regex_finder.h"

namespace smc::internal {

// A Comparison whose MATCHES/NOT_MATCHES regex is searched through a RegexFinder.
struct ComparisonPlan {
  ComparisonPlan() = default;
  explicit ComparisonPlan(const Comparison& c);
  const Comparison* cmp = nullptr;  // null: no comparison (a def without a guard)
  Op op = Op::kExists;              // cmp->op
  RegexFinder regex;
};

// The comparisons without a regex (compare.cpp): Compare() for any operator but
// MATCHES/NOT_MATCHES.
bool CompareWithoutRegex(const Comparison& cmp, std::string_view value);

// Compare(*plan.cmp, value), with the same result. Inline: it is on the path of every
// condition evaluated.
inline bool Compare(const ComparisonPlan& plan, std::string_view value) {
  switch (plan.op) {
    case Op::kMatches:
      return plan.regex && plan.regex.Contains(value);
    case Op::kNotMatches:
      return plan.regex && !plan.regex.Contains(value);
    default:
      return CompareWithoutRegex(*plan.cmp, value);
  }
}

struct ConditionPlan {
  explicit ConditionPlan(const Condition& c);
  const Condition* condition;
  const Target* target;  // &condition->target, and what the evaluation needs of it:
  bool header_target;    // target->scope == Scope::kHeader
  bool presence;         // EXISTS or NOT_EXISTS
  RegexFinder regex1;
  RegexFinder regex2;
  ComparisonPlan cmp;
};

struct DefPlan {
  explicit DefPlan(const ReplaceDef& d);
  const ReplaceDef* def;
  RegexFinder regex1;
  RegexFinder regex2;
  ComparisonPlan guard;  // guard.cmp is null when the def has none
  // Entries of the innermost match a replacement needs: 1 + the highest \N of Output.
  int submatches;
};

struct RulePlan {
  explicit RulePlan(const Rule& r);
  const Rule* rule;
  bool any_message;  // no MsgType, ReqMethod or RspCodeList: the filter always matches
  std::vector<ConditionPlan> conditions;
  std::vector<DefPlan> defs;
};

}  // namespace smc::internal

#endif  // SMC_ENGINE_RULE_PLAN_H_
