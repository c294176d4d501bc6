#include "regex_finder.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace smc::internal {
namespace {

bool IsAsciiPunct(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}

bool IsPrintableAscii(char c) { return c >= ' ' && c <= '~'; }

// RE2's Perl classes: \d [0-9], \s [\t\n\f\r ] (no \v), \w [0-9A-Za-z_].
bool InPerlClass(char name, unsigned char b) {
  switch (name) {
    case 'd':
      return b >= '0' && b <= '9';
    case 's':
      return b == '\t' || b == '\n' || b == '\f' || b == '\r' || b == ' ';
    default:  // 'w'
      return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') ||
             b == '_';
  }
}

bool IsPerlClass(char c) { return c == 'd' || c == 's' || c == 'w'; }
bool IsNegatedPerlClass(char c) { return c == 'D' || c == 'S' || c == 'W'; }

// text.find(literal, pos). Candidates are the positions where both the first and the last
// byte of the literal match, 16 at a time: a literal's first byte alone (",UPDATE" in an
// Allow list) is often common enough that a byte-by-byte search stops at every occurrence.
size_t FindLiteral(std::string_view text, size_t pos, std::string_view literal) {
  const size_t n = text.size();
  const size_t k = literal.size();
  if (pos > n || n - pos < k) return std::string_view::npos;
  if (k < 2) return text.find(literal, pos);
  const char* const t = text.data();
  const char first = literal.front();
  const char last = literal.back();
  // Whether the literal is at i, given that its first and last bytes are.
  auto body_at = [&](size_t i) { return std::memcmp(t + i + 1, literal.data() + 1, k - 2) == 0; };
  size_t i = pos;
#if defined(__SSE2__)
  const __m128i first16 = _mm_set1_epi8(first);
  const __m128i last16 = _mm_set1_epi8(last);
  // Candidate positions [i, i + 16) read bytes up to i + 16 + k - 2.
  for (; n - i >= 16 + k - 1; i += 16) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(t + i));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(t + i + k - 1));
    unsigned mask = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first16), _mm_cmpeq_epi8(b, last16))));
    while (mask != 0) {
      const size_t at = i + static_cast<size_t>(__builtin_ctz(mask));
      if (body_at(at)) return at;
      mask &= mask - 1;
    }
  }
#endif
  for (; i + k <= n; ++i) {
    if (t[i] == first && t[i + k - 1] == last && body_at(i)) return i;
  }
  return std::string_view::npos;
}

// A set of ASCII bytes, for parsing a bracket class.
using AsciiSet = std::array<bool, 128>;

// Parses a bracket class at p[*i] == '['. Accepts printable ASCII items, ranges between
// plain characters, escaped punctuation and \d \s \w; a '-' is literal only first or last.
// Refuses the rest (POSIX [:alpha:], a leading ']', escapes such as \x or \p, negated Perl
// classes inside brackets), which then goes to RE2.
bool ParseBracket(const std::string& p, size_t* i, AsciiSet* set, bool* negated) {
  size_t k = *i + 1;
  *negated = k < p.size() && p[k] == '^';
  if (*negated) ++k;
  set->fill(false);
  bool first = true;
  while (true) {
    if (k >= p.size()) return false;
    const char c = p[k];
    if (c == ']') {
      if (first) return false;
      *i = k + 1;
      return true;
    }
    if (c == '[' || !IsPrintableAscii(c)) return false;
    const bool was_first = first;
    first = false;
    if (c == '\\') {
      if (k + 1 >= p.size()) return false;
      const char e = p[k + 1];
      k += 2;
      if (IsPerlClass(e)) {
        for (unsigned b = 0; b < 128; ++b) {
          if (InPerlClass(e, static_cast<unsigned char>(b))) (*set)[b] = true;
        }
        continue;
      }
      if (!IsAsciiPunct(e)) return false;
      // An escaped character starting a range is left to RE2.
      if (k + 1 < p.size() && p[k] == '-' && p[k + 1] != ']') return false;
      (*set)[static_cast<unsigned char>(e)] = true;
      continue;
    }
    if (c == '-') {
      // A '-' that is neither first nor last could be part of a range RE2 reads otherwise.
      if (!was_first && !(k + 1 < p.size() && p[k + 1] == ']')) return false;
      (*set)['-'] = true;
      ++k;
      continue;
    }
    ++k;
    if (k + 1 < p.size() && p[k] == '-' && p[k + 1] != ']') {
      const char d = p[k + 1];
      if (d == '\\' || d == '[' || !IsPrintableAscii(d) || d < c) return false;
      for (int b = c; b <= d; ++b) (*set)[static_cast<size_t>(b)] = true;
      k += 2;
      continue;
    }
    (*set)[static_cast<unsigned char>(c)] = true;
  }
}

// A repetition {n}, {n,} or {n,m} at p[*i] == '{'. Anything else (RE2 reads "{,2}" or "{x"
// as literal text) is refused.
bool ParseRepeat(const std::string& p, size_t* i, uint32_t* lo, uint32_t* hi,
                 uint32_t unbounded) {
  size_t k = *i + 1;
  auto number = [&](uint32_t* out) {
    const size_t start = k;
    uint32_t v = 0;
    while (k < p.size() && p[k] >= '0' && p[k] <= '9' && k - start < 5) {
      v = v * 10 + static_cast<uint32_t>(p[k] - '0');
      ++k;
    }
    *out = v;
    return k > start && v <= 1000;
  };
  if (!number(lo)) return false;
  *hi = *lo;
  if (k < p.size() && p[k] == ',') {
    ++k;
    if (k < p.size() && p[k] == '}') {
      *hi = unbounded;
    } else if (!number(hi) || *hi < *lo) {
      return false;
    }
  }
  if (k >= p.size() || p[k] != '}') return false;
  *i = k + 1;
  return true;
}

// Skips a quantifier at p[*i], if any, with a lazy '?' after it. False when a '{' there is
// not a repetition (RE2 would take it as literal text).
bool SkipQuantifier(const std::string& p, size_t* i, bool* optional, bool* repeated) {
  *optional = false;
  *repeated = false;
  if (*i >= p.size()) return true;
  const char q = p[*i];
  if (q == '*' || q == '?') {
    *optional = true;
    ++*i;
  } else if (q == '+') {
    *repeated = true;
    ++*i;
  } else if (q == '{') {
    uint32_t lo = 0;
    uint32_t hi = 0;
    if (!ParseRepeat(p, i, &lo, &hi, 0)) return false;
    *optional = true;  // counted repetitions: not worth reasoning about
  } else {
    return true;
  }
  if (*i < p.size() && p[*i] == '?') ++*i;
  return true;
}

// Skips a bracket class at p[*i] == '[' however RE2 reads it (a leading ']' and POSIX
// classes included). False when it does not end.
bool SkipBracket(const std::string& p, size_t* i) {
  size_t k = *i + 1;
  if (k < p.size() && p[k] == '^') ++k;
  if (k < p.size() && p[k] == ']') ++k;
  while (k < p.size()) {
    if (p[k] == ']') {
      *i = k + 1;
      return true;
    }
    if (p[k] == '\\') {
      k += 2;
    } else if (p[k] == '[' && k + 1 < p.size() && p[k + 1] == ':') {
      const size_t close = p.find(":]", k + 2);
      if (close == std::string::npos) return false;
      k = close + 2;
    } else {
      ++k;
    }
  }
  return false;
}

// The longest text that every match of the pattern contains, read conservatively: the
// literal characters outside any group, next to each other and not made optional by a
// quantifier, of a pattern without a top-level '|' and without flags. "" when there is no
// such text or the pattern uses syntax this reading does not follow.
std::string RequiredLiteral(const RE2& re) {
  const RE2::Options& o = re.options();
  if (!o.case_sensitive() || o.literal() || o.posix_syntax()) return {};
  const std::string& p = re.pattern();
  std::string best;
  std::string run;
  auto end_run = [&] {
    if (run.size() > best.size()) best = run;
    run.clear();
  };
  int depth = 0;
  size_t i = 0;
  while (i < p.size()) {
    const char c = p[i];
    if (!IsPrintableAscii(c)) return {};
    if (c == '|') {
      if (depth == 0) return {};
      ++i;
      continue;
    }
    if (c == '(') {
      end_run();
      ++depth;
      if (p.compare(i, 3, "(?:") == 0) {
        i += 3;
      } else if (p.compare(i, 4, "(?P<") == 0) {
        const size_t close = p.find('>', i);
        if (close == std::string::npos) return {};
        i = close + 1;
      } else if (i + 1 < p.size() && p[i + 1] == '?') {
        return {};  // flags such as (?i) change what the literals match
      } else {
        ++i;
      }
      continue;
    }
    bool literal = false;
    char ch = 0;
    if (c == ')') {
      if (depth == 0) return {};
      --depth;
      ++i;
    } else if (c == '[') {
      if (!SkipBracket(p, &i)) return {};
    } else if (c == '\\') {
      if (i + 1 >= p.size()) return {};
      const char e = p[i + 1];
      if (IsAsciiPunct(e)) {
        literal = true;
        ch = e;
      } else if (!IsPerlClass(e) && !IsNegatedPerlClass(e) && e != 'b' && e != 'B' &&
                 e != 'A' && e != 'z') {
        return {};  // \x41, \p{Greek}, \Q...\E: arguments this reading does not parse
      }
      i += 2;
    } else if (c == '*' || c == '+' || c == '?' || c == '{') {
      return {};  // a quantifier with nothing to repeat: not something to reason about
    } else {
      literal = c != '.' && c != '^' && c != '$';
      ch = c;
      ++i;
    }
    bool optional = false;
    bool repeated = false;
    if (!SkipQuantifier(p, &i, &optional, &repeated)) return {};
    if (depth != 0 || c == ')') continue;
    if (literal && !optional) {
      run.push_back(ch);
      if (repeated) end_run();
    } else {
      end_run();
    }
  }
  end_run();
  return best;
}

}  // namespace

bool RegexFinder::ParseSimple(const RE2& re, Simple* out) {
  const RE2::Options& o = re.options();
  if (!o.case_sensitive() || o.posix_syntax() || o.longest_match() || o.never_nl()) {
    return false;
  }
  const std::string& p = re.pattern();
  Simple& s = *out;
  if (o.literal()) {
    for (const char c : p) {
      if (!IsPrintableAscii(c)) return false;
    }
    s.prefix = p;
    return true;
  }
  // The bytes of the one class go straight to s.class_bytes: a second class is refused
  // before it is read.
  std::array<uint8_t, 256>& bytes = s.class_bytes;
  size_t i = 0;
  if (i < p.size() && p[i] == '^') {
    s.anchor_begin = true;
    ++i;
  }
  while (i < p.size()) {
    const char c = p[i];
    if (c == '$') {
      if (i + 1 != p.size()) return false;
      s.anchor_end = true;
      break;
    }
    // One atom: a literal character or a class.
    const bool perl_class =
        c == '\\' && i + 1 < p.size() && (IsPerlClass(p[i + 1]) || IsNegatedPerlClass(p[i + 1]));
    const bool is_class = c == '[' || c == '.' || perl_class;
    if (is_class && s.has_class) return false;  // a second class: more than one scan decides
    char literal = 0;
    if (c == '[') {
      AsciiSet set;
      bool negated = false;
      if (!ParseBracket(p, &i, &set, &negated)) return false;
      for (size_t b = 0; b < 128; ++b) bytes[b] = set[b] != negated ? kIn : kOut;
      for (size_t b = 128; b < 256; ++b) bytes[b] = negated ? kUndecided : kOut;
    } else if (c == '.') {
      for (size_t b = 0; b < 128; ++b) bytes[b] = (b != '\n' || o.dot_nl()) ? kIn : kOut;
      for (size_t b = 128; b < 256; ++b) bytes[b] = kUndecided;
      ++i;
    } else if (perl_class) {
      const char e = p[i + 1];
      const bool negated = IsNegatedPerlClass(e);
      const char name = static_cast<char>(negated ? e - 'A' + 'a' : e);
      for (size_t b = 0; b < 128; ++b) {
        bytes[b] = InPerlClass(name, static_cast<unsigned char>(b)) != negated ? kIn : kOut;
      }
      for (size_t b = 128; b < 256; ++b) bytes[b] = negated ? kUndecided : kOut;
      i += 2;
    } else if (c == '\\') {
      if (i + 1 >= p.size() || !IsAsciiPunct(p[i + 1])) return false;
      literal = p[i + 1];
      i += 2;
    } else if (!IsPrintableAscii(c) || std::strchr("^|?*+()]{}", c) != nullptr) {
      return false;
    } else {
      literal = c;
      ++i;
    }
    // Its quantifier: greedy only.
    uint32_t lo = 1;
    uint32_t hi = 1;
    bool quantified = true;
    if (i < p.size() && p[i] == '*') {
      lo = 0;
      hi = kUnbounded;
      ++i;
    } else if (i < p.size() && p[i] == '+') {
      hi = kUnbounded;
      ++i;
    } else if (i < p.size() && p[i] == '?') {
      lo = 0;
      ++i;
    } else if (i < p.size() && p[i] == '{') {
      if (!ParseRepeat(p, &i, &lo, &hi, kUnbounded)) return false;
    } else {
      quantified = false;
    }
    if (quantified && i < p.size() && std::strchr("*+?{", p[i]) != nullptr) return false;
    if (!is_class && !quantified) {
      (s.has_class ? s.suffix : s.prefix).push_back(literal);
      continue;
    }
    if (!is_class) {
      // A quantified character is a class of one.
      if (s.has_class) return false;
      bytes[static_cast<unsigned char>(literal)] = kIn;
    }
    s.has_class = true;
    s.lo = lo;
    s.hi = hi;
  }
  // A suffix that could start inside the run would let a match end at several places: a
  // backtracking search, left to RE2.
  return !(s.has_class && !s.suffix.empty() &&
           bytes[static_cast<unsigned char>(s.suffix.front())] != kOut);
}

RegexFinder::RegexFinder(const RE2* re) : re_(re) {
  if (re_ == nullptr || !re_->ok()) return;
  Simple simple;
  if (ParseSimple(*re_, &simple)) {
    const bool plain = !simple.has_class && !simple.anchor_begin && !simple.anchor_end;
    kind_ = plain ? Kind::kLiteral : Kind::kSimple;
    simple_ = std::make_unique<const Simple>(std::move(simple));
  } else {
    required_ = RequiredLiteral(*re_);
  }
}

std::string_view RegexFinder::RequiredText() const {
  switch (kind_) {
    case Kind::kLiteral:
      return simple_->prefix;
    case Kind::kSimple:
      // Both literals are outside the class and its quantifier: every match holds each.
      return simple_->prefix.size() >= simple_->suffix.size() ? simple_->prefix
                                                               : simple_->suffix;
    case Kind::kRe2:
      break;
  }
  return required_;
}

int RegexFinder::MatchSimple(std::string_view text, size_t pos, size_t* begin,
                             size_t* end) const {
  const Simple& s = *simple_;
  const size_t n = text.size();
  if (pos > n || (s.anchor_begin && pos != 0)) return 0;
  const char* t = text.data();
  const std::string_view prefix = s.prefix;
  const std::string_view suffix = s.suffix;
  const size_t plen = prefix.size();
  // Whether lit is at t[at] (at <= n). Compared in line: the literals next to a class are
  // a byte or two (";", "="), for which a memcmp call costs more than the comparison.
  auto is_at = [&](size_t at, std::string_view lit) {
    if (n - at < lit.size()) return false;
    for (size_t k = 0; k < lit.size(); ++k) {
      if (t[at + k] != lit[k]) return false;
    }
    return true;
  };

  if (!s.has_class) {
    size_t start = 0;
    if (s.anchor_begin) {
      if (!is_at(0, prefix) || (s.anchor_end && plen != n)) return 0;
    } else if (s.anchor_end) {
      if (n < plen || n - plen < pos) return 0;
      start = n - plen;
      if (!is_at(start, prefix)) return 0;
    } else {
      start = FindLiteral(text, pos, prefix);
      if (start == std::string_view::npos) return 0;
    }
    *begin = start;
    *end = start + plen;
    return 1;
  }

  size_t from = pos;
  while (from <= n) {
    size_t start = from;
    if (plen > 0) {
      if (s.anchor_begin) {
        if (!is_at(0, prefix)) return 0;
        start = 0;
      } else {
        start = FindLiteral(text, from, prefix);
        if (start == std::string_view::npos) return 0;
      }
    }
    const size_t run_begin = start + plen;
    // After a prefix, a run longer than hi fails whatever follows: no need to see its end.
    const size_t limit = plen > 0 && s.hi != kUnbounded && n - run_begin > s.hi + size_t{1}
                             ? run_begin + s.hi + 1
                             : n;
    size_t run_end = run_begin;
    while (run_end < limit) {
      const uint8_t b = s.class_bytes[static_cast<unsigned char>(t[run_end])];
      if (b == kIn) {
        ++run_end;
      } else if (b == kOut) {
        break;
      } else {
        return -1;
      }
    }
    const size_t run = run_end - run_begin;
    if (run >= s.lo) {
      if (suffix.empty() && !s.anchor_end) {
        *begin = start;
        *end = run_begin + std::min<size_t>(run, s.hi);
        return 1;
      }
      // The suffix's first byte is not in the class: the run cannot end earlier.
      if (is_at(run_end, suffix) && (!s.anchor_end || run_end + suffix.size() == n)) {
        if (run <= s.hi) {
          *begin = start;
          *end = run_end + suffix.size();
          return 1;
        }
        if (plen == 0 && !s.anchor_begin) {
          // Too long a run: the leftmost start is the one leaving exactly hi of it.
          *begin = run_end - s.hi;
          *end = run_end + suffix.size();
          return 1;
        }
      }
    }
    if (s.anchor_begin) return 0;
    // A later start whose run would end at the same place (every start up to run_end
    // without a prefix, every occurrence of the prefix ending inside the run with one) fails
    // the same way, unless the run was too long: then a later, shorter one may match.
    if (plen == 0) {
      from = run_end + 1;
    } else if (run > s.hi) {
      from = start + 1;
    } else {
      from = std::max(start + 1, run_end + 1 > plen ? run_end + 1 - plen : size_t{0});
    }
  }
  return 0;
}

bool RegexFinder::MatchRe2(std::string_view text, size_t pos, re2::StringPiece* vec,
                           int nsub) const {
  if (!required_.empty() && FindLiteral(text, pos, required_) == std::string_view::npos) {
    return false;
  }
  return re_->Match(re2::StringPiece(text.data(), text.size()), pos, text.size(),
                    RE2::UNANCHORED, vec, nsub);
}

bool RegexFinder::Match(std::string_view text, size_t pos, re2::StringPiece* vec,
                        int nsub) const {
  if (text.data() == nullptr) text = std::string_view("", 0);
  if (kind_ != Kind::kRe2) {
    size_t begin = 0;
    size_t end = 0;
    const int found = MatchSimple(text, pos, &begin, &end);
    if (found >= 0) {
      if (found == 0) return false;
      if (nsub > 0) vec[0] = re2::StringPiece(text.data() + begin, end - begin);
      // The simple shapes have no groups: RE2 reports the groups asked for as absent.
      for (int i = 1; i < nsub; ++i) vec[i] = re2::StringPiece();
      return true;
    }
  }
  return MatchRe2(text, pos, vec, nsub);
}

bool RegexFinder::ContainsSlow(std::string_view text) const {
  if (text.data() == nullptr) text = std::string_view("", 0);
  if (kind_ != Kind::kRe2) {
    size_t begin = 0;
    size_t end = 0;
    const int found = MatchSimple(text, 0, &begin, &end);
    if (found >= 0) return found == 1;
  }
  return MatchRe2(text, 0, nullptr, 0);
}

}  // namespace smc::internal
