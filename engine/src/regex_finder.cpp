#include "regex_finder.h"

#include <cstring>
#include <optional>
#include <utility>

namespace smc::internal {
namespace {

bool IsAsciiPunct(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}

// The text a pattern stands for when it has no regex syntax beyond escaped punctuation;
// nullopt otherwise. Only printable ASCII, so that bytes and characters coincide whatever
// the encoding.
std::optional<std::string> LiteralText(const RE2& re) {
  const RE2::Options& o = re.options();
  if (!o.case_sensitive() || o.never_nl() || o.posix_syntax() || o.longest_match()) {
    return std::nullopt;
  }
  const std::string& pattern = re.pattern();
  std::string text;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c < ' ' || c > '~') return std::nullopt;
    if (o.literal()) {
      text.push_back(c);
      continue;
    }
    if (c == '\\') {
      if (i + 1 == pattern.size() || !IsAsciiPunct(pattern[i + 1])) return std::nullopt;
      c = pattern[++i];
    } else if (std::strchr(".^$|?*+()[]{}", c) != nullptr) {
      return std::nullopt;
    }
    text.push_back(c);
  }
  return text;
}

}  // namespace

RegexFinder::RegexFinder(const RE2* re) : re_(re) {
  if (re_ == nullptr || !re_->ok()) return;
  if (std::optional<std::string> text = LiteralText(*re_)) {
    literal_ = true;
    literal_text_ = std::move(*text);
  }
}

bool RegexFinder::Match(std::string_view text, size_t pos, re2::StringPiece* vec,
                        int nsub) const {
  if (!literal_) {
    return re_->Match(re2::StringPiece(text.data(), text.size()), pos, text.size(),
                      RE2::UNANCHORED, vec, nsub);
  }
  if (pos > text.size()) return false;
  const size_t at = text.find(literal_text_, pos);
  if (at == std::string_view::npos) return false;
  if (nsub > 0) vec[0] = re2::StringPiece(text.data() + at, literal_text_.size());
  for (int i = 1; i < nsub; ++i) vec[i] = re2::StringPiece();
  return true;
}

}  // namespace smc::internal
