// The value operators of docs/profiles.md ("Conditions"): how a line's value is compared
// with RightOperand, for conditions and for the guard of a replace definition.
#include <re2/re2.h>

#include <cstdint>
#include <optional>
#include <string_view>

#include "compiled_profile.h"
#include "decimal.h"
#include "rule_plan.h"

namespace smc::internal {

// Declared in rule_plan.h, next to the Compare() of a ComparisonPlan that calls it.
bool CompareWithoutRegex(const Comparison& cmp, std::string_view value) {
  switch (cmp.op) {
    case Op::kEq:
      return value == cmp.text;
    case Op::kNeq:
      return value != cmp.text;
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe: {
      if (!cmp.number) return false;
      const std::optional<int64_t> n = ParseInteger(value);
      if (!n) return false;
      switch (cmp.op) {
        case Op::kLt: return *n < *cmp.number;
        case Op::kLe: return *n <= *cmp.number;
        case Op::kGt: return *n > *cmp.number;
        default: return *n >= *cmp.number;
      }
    }
    case Op::kExists:
      return true;
    case Op::kNotExists:
    case Op::kMatches:
    case Op::kNotMatches:
      return false;
  }
  return false;
}

// EXISTS and NOT_EXISTS are about whether the target has a line, which only the rewriter
// knows: it decides them without calling Compare. Given a value, a line exists, so EXISTS
// is true and NOT_EXISTS false. A comparison whose operand the compiler did not set (no
// number for LT..GE, no regex for MATCHES) never holds: an incomplete comparison must not
// turn into "always".
bool Compare(const Comparison& cmp, std::string_view value) {
  switch (cmp.op) {
    case Op::kMatches:
      return cmp.regex != nullptr && RE2::PartialMatch(value, *cmp.regex);
    case Op::kNotMatches:
      return cmp.regex != nullptr && !RE2::PartialMatch(value, *cmp.regex);
    default:
      return CompareWithoutRegex(cmp, value);
  }
}

}  // namespace smc::internal
