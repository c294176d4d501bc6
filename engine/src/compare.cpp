// The value operators of docs/profiles.md ("Conditions"): how a line's value is compared
// with RightOperand, for conditions and for the guard of a replace definition.
#include <re2/re2.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

#include "compiled_profile.h"

namespace smc::internal {
namespace {

// A decimal integer: an optional sign, then one or more digits, nothing else (no white
// space). A value outside int64 is not an integer, so that no comparison overflows.
std::optional<int64_t> ParseInteger(std::string_view text) {
  const size_t sign = !text.empty() && (text.front() == '+' || text.front() == '-') ? 1 : 0;
  if (text.size() <= sign || text[sign] < '0' || text[sign] > '9') return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);  // from_chars takes only '-'
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

}  // namespace

// EXISTS and NOT_EXISTS are about whether the target has a line, which only the rewriter
// knows: it decides them without calling Compare. Given a value, a line exists, so EXISTS
// is true and NOT_EXISTS false. A comparison whose operand the compiler did not set (no
// number for LT..GE, no regex for MATCHES) never holds: an incomplete comparison must not
// turn into "always".
bool Compare(const Comparison& cmp, std::string_view value) {
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
    case Op::kMatches:
      return cmp.regex != nullptr && RE2::PartialMatch(value, *cmp.regex);
    case Op::kNotMatches:
      return cmp.regex != nullptr && !RE2::PartialMatch(value, *cmp.regex);
    case Op::kExists:
      return true;
    case Op::kNotExists:
      return false;
  }
  return false;
}

}  // namespace smc::internal
