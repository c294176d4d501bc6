// Finds the matches of one compiled regex, with RE2's results but, for the patterns profiles
// mostly use, without calling RE2: an RE2 call costs about the same whatever the text (locks,
// thread-local lookups, a second automaton pass to locate the match), which on a header value
// of 20 bytes is many times the cost of the search itself.
//
// Decided once, when the finder is built from the pattern text (a conservative reading of a
// subset of RE2's syntax; anything outside it goes to RE2):
// - plain text (",UPDATE"): a substring search;
// - "simple": optionally `^`, literal text, at most one character class or quantified
//   character (`[0-9]+`, `[^;]*`, `\d{6}`, `x?`), literal text, optionally `$`; for example
//   `[0-9]+;`, `^[0-9]+`, `secret=[^;]*`, `^a=sendonly$`. Matched by one forward scan;
// - anything else: RE2, after a check that the text holds a literal every match must contain
//   (`vendor-49\b` needs "vendor-49"), which rejects most texts without calling RE2.
#ifndef SMC_ENGINE_REGEX_FINDER_H_
#define SMC_ENGINE_REGEX_FINDER_H_

#include <re2/re2.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace smc::internal {

class RegexFinder {
 public:
  RegexFinder() = default;
  // `re` (may be null: no regex) must outlive the finder.
  explicit RegexFinder(const RE2* re);

  explicit operator bool() const { return re_ != nullptr; }
  const RE2& re() const { return *re_; }
  // Plain text without anchors: searched for as a substring.
  bool is_literal() const { return kind_ == Kind::kLiteral; }
  // Matched without RE2 (plain text or the simple shape above), except that a text with a
  // non-ASCII byte where a negated class or `.` looks still goes to RE2, which alone knows
  // UTF-8.
  bool is_simple() const { return kind_ == Kind::kLiteral || kind_ == Kind::kSimple; }
  // For a pattern left to RE2: text that every match contains ("" when none is known).
  const std::string& required_literal() const { return required_; }
  // Text that every match contains, whichever way the pattern is matched ("" when none is
  // known): the text itself, the longer literal of a simple pattern, or required_literal().
  // A text without it has no match.
  std::string_view RequiredText() const;

  // The leftmost match in text at or after `pos`, as RE2::Match(text, pos, text.size(),
  // UNANCHORED, vec, nsub) finds it: vec[0] the match, vec[1..nsub) its groups.
  bool Match(std::string_view text, size_t pos, re2::StringPiece* vec, int nsub) const;
  // Whether text has a match anywhere: RE2::PartialMatch(text, re) without arguments.
  bool Contains(std::string_view text) const {
    // Most texts a condition looks at lack the literal: turned down here, without a call.
    if (kind_ == Kind::kRe2 && !required_.empty() && !HasLiteral(text, required_)) return false;
    return ContainsSlow(text);
  }

 private:
  enum class Kind : uint8_t { kRe2, kLiteral, kSimple };
  // What a byte is to the character class of a simple pattern.
  enum ClassByte : uint8_t { kOut = 0, kIn = 1, kUndecided = 2 };
  static constexpr uint32_t kUnbounded = static_cast<uint32_t>(-1);

  // The shape ^? prefix (class{lo,hi})? suffix $? . Without a class, prefix is the whole
  // text. With one, suffix's first byte is not in the class, so a start position has at
  // most one candidate match (the run of class bytes ends where it ends) and the scan never
  // backtracks.
  struct Simple {
    bool anchor_begin = false;
    bool anchor_end = false;
    bool has_class = false;
    uint32_t lo = 1;
    uint32_t hi = 1;
    std::string prefix;
    std::string suffix;
    std::array<uint8_t, 256> class_bytes{};  // ClassByte per byte value
  };

  // Whether `text` contains `literal` (not empty): text.find(literal) != npos, inline.
  static bool HasLiteral(std::string_view text, const std::string& literal) {
    if (literal.size() > text.size()) return false;
    const char* p = text.data();
    const char* const last = p + (text.size() - literal.size());
    while ((p = static_cast<const char*>(std::memchr(p, literal[0], last - p + 1))) != nullptr) {
      if (std::memcmp(p + 1, literal.data() + 1, literal.size() - 1) == 0) return true;
      if (p++ == last) break;
    }
    return false;
  }
  // Reads the pattern into *out, default-constructed: false (with *out to be discarded)
  // when it is not of the simple shape.
  static bool ParseSimple(const RE2& re, Simple* out);
  // 1: a match [*begin, *end); 0: none; -1: the text needs RE2 (see is_simple()).
  int MatchSimple(std::string_view text, size_t pos, size_t* begin, size_t* end) const;
  bool MatchRe2(std::string_view text, size_t pos, re2::StringPiece* vec, int nsub) const;
  bool ContainsSlow(std::string_view text) const;

  const RE2* re_ = nullptr;
  Kind kind_ = Kind::kRe2;
  // Apart, so that a finder stays small: a chain's rules are walked through their plans.
  std::unique_ptr<const Simple> simple_;  // for kLiteral and kSimple
  std::string required_;
};

}  // namespace smc::internal

#endif  // SMC_ENGINE_REGEX_FINDER_H_
