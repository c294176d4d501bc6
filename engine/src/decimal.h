// The one decimal-integer syntax of docs/profiles.md, shared by the compiler (RightOperand
// of LT..GE), Compare() and Numeric: so that a value the compiler accepts as an operand is
// read the same way as a value at run time.
#ifndef SMC_ENGINE_DECIMAL_H_
#define SMC_ENGINE_DECIMAL_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace smc::internal {

// An optional sign, then one or more ASCII digits, nothing else (no white space); nullopt
// otherwise, and for a value outside int64 (so that no comparison or arithmetic overflows).
inline std::optional<int64_t> ParseInteger(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  constexpr uint64_t kMaxMagnitude = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  const uint64_t limit = negative ? kMaxMagnitude + 1 : kMaxMagnitude;
  uint64_t magnitude = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (magnitude > (limit - digit) / 10) return std::nullopt;
    magnitude = magnitude * 10 + digit;
  }
  if (!negative) return static_cast<int64_t>(magnitude);
  // -(2^63) has no positive counterpart: negate in unsigned arithmetic.
  return static_cast<int64_t>(~magnitude + 1);
}

}  // namespace smc::internal

#endif  // SMC_ENGINE_DECIMAL_H_
