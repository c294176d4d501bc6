// Finds the matches of one compiled regex. A pattern that is plain text (",UPDATE") is
// searched for as a substring: the result is the same, and RE2's per-call setup (locks,
// two automaton passes to locate a match) would cost more than the search itself.
#ifndef SMC_ENGINE_REGEX_FINDER_H_
#define SMC_ENGINE_REGEX_FINDER_H_

#include <re2/re2.h>

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
  bool is_literal() const { return literal_; }

  // The leftmost match in text at or after `pos`, as RE2::Match(text, pos, text.size(),
  // UNANCHORED, vec, nsub) finds it: vec[0] the match, vec[1..nsub) its groups.
  bool Match(std::string_view text, size_t pos, re2::StringPiece* vec, int nsub) const;

 private:
  const RE2* re_ = nullptr;
  bool literal_ = false;
  std::string literal_text_;
};

}  // namespace smc::internal

#endif  // SMC_ENGINE_REGEX_FINDER_H_
