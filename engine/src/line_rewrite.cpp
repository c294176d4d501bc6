#include "line_rewrite.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "rule_plan.h"

namespace smc::internal {
namespace {

using re2::StringPiece;

std::string_view View(const StringPiece& s) { return std::string_view(s.data(), s.size()); }

// A value with a non-null data pointer: RE2 reports matches in a null text as null pieces,
// whose offsets could not be computed.
std::string_view NonNull(std::string_view value) {
  return value.data() != nullptr ? value : std::string_view("", 0);
}

// How far RE2::GlobalReplace steps after an empty match at `pos`: one character, which is a
// whole UTF-8 sequence when the regex works on UTF-8.
size_t StepAfterEmptyMatch(const RE2& re, std::string_view text, size_t pos) {
  if (pos >= text.size()) return 1;
  if (re.options().encoding() != RE2::Options::EncodingUTF8) return 1;
  const unsigned char lead = static_cast<unsigned char>(text[pos]);
  size_t n = 1;
  if (lead >= 0xF0 && lead <= 0xF4) {
    n = 4;
  } else if (lead >= 0xE0) {
    n = lead <= 0xEF ? 3 : 1;
  } else if (lead >= 0xC2) {
    n = 2;
  }
  if (pos + n > text.size()) return 1;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(text[pos + k]) & 0xC0) != 0x80) return 1;
  }
  return n;
}

// Calls on_match(vec) for every non-overlapping, leftmost match of `re` in `text`, walking
// exactly as RE2::GlobalReplace does: after an empty match it steps one character, and an
// empty match right where the previous match ended is skipped. Always terminates: a
// non-empty match moves past its end, and an empty one is stepped over on the next turn.
template <typename OnMatch>
void ForEachMatch(const RegexFinder& finder, std::string_view text, int nsub,
                  OnMatch on_match) {
  StringPiece vec[kMaxSubmatches];
  size_t pos = 0;
  size_t last_end = std::string_view::npos;
  while (pos <= text.size()) {
    if (!finder.Match(text, pos, vec, nsub)) break;
    const size_t begin = static_cast<size_t>(vec[0].data() - text.data());
    const size_t end = begin + vec[0].size();
    if (vec[0].empty() && begin == last_end) {
      pos += StepAfterEmptyMatch(finder.re(), text, pos);
      continue;
    }
    on_match(vec);
    pos = end;
    last_end = end;
  }
}

// Builds the rewritten value of a line only once a match is actually replaced, copying the
// untouched text between replacements.
class LazyEdit {
 public:
  LazyEdit(std::string_view text, std::string* out) : text_(text), out_(out) {}

  // Starts the replacement of text_[begin, end): returns where to append it.
  std::string* Replace(size_t begin, size_t end) {
    if (!started_) {
      out_->clear();
      started_ = true;
    }
    out_->append(text_.data() + pending_, begin - pending_);
    pending_ = end;
    return out_;
  }

  // True when some match was replaced; then *out holds the whole new value.
  bool Finish() {
    if (!started_) return false;
    out_->append(text_.data() + pending_, text_.size() - pending_);
    return true;
  }

 private:
  std::string_view text_;
  std::string* out_;
  size_t pending_ = 0;  // text_ from here on is not yet copied
  bool started_ = false;
};

// The replacement for one candidate match vec[0] (groups in vec[1..nsub)) of `line`:
// appended through `edit` unless the guard or Numeric leaves the match as it is.
void ReplaceCandidate(const DefPlan& plan, std::string_view line, const StringPiece* vec,
                      int nsub, LazyEdit* edit) {
  const ReplaceDef& def = *plan.def;
  const std::string_view match = View(vec[0]);
  if (plan.guard.cmp != nullptr && !Compare(plan.guard, match)) return;
  const size_t begin = static_cast<size_t>(match.data() - line.data());
  const size_t end = begin + match.size();
  if (def.numeric) {
    const std::optional<int64_t> n = ParseInteger(match);
    if (!n) return;
    char buf[24];
    const auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), ApplyNumeric(*def.numeric, *n));
    edit->Replace(begin, end)->append(buf, static_cast<size_t>(p - buf));
    return;
  }
  std::string* out = edit->Replace(begin, end);
  if (def.output_has_refs) {
    AppendRewrite(def.output, vec, nsub, out);
  } else {
    out->append(def.output);
  }
}

LineEdit FindSub(const DefPlan& plan, std::string_view line, std::string* out) {
  if (!plan.regex1) return LineEdit::kKeep;
  LazyEdit edit(line, out);
  const int nsub = plan.submatches;
  if (!plan.regex2) {
    ForEachMatch(plan.regex1, line, nsub, [&](const StringPiece* vec) {
      ReplaceCandidate(plan, line, vec, nsub, &edit);
    });
  } else {
    ForEachMatch(plan.regex1, line, 1, [&](const StringPiece* outer) {
      ForEachMatch(plan.regex2, View(outer[0]), nsub, [&](const StringPiece* vec) {
        ReplaceCandidate(plan, line, vec, nsub, &edit);
      });
    });
  }
  if (!edit.Finish() || *out == line) return LineEdit::kKeep;
  return LineEdit::kReplace;
}

LineEdit ReplaceWhole(const DefPlan& plan, std::string_view line, std::string* out) {
  const ReplaceDef& def = *plan.def;
  StringPiece vec[kMaxSubmatches];
  const int nsub = plan.submatches;
  if (plan.regex1) {
    if (!ExtractMatch(plan.regex1, plan.regex2, line, vec, nsub)) return LineEdit::kKeep;
  } else {
    vec[0] = StringPiece(line.data(), line.size());
    for (int i = 1; i < nsub; ++i) vec[i] = StringPiece();
  }
  const std::string_view candidate = View(vec[0]);
  if (plan.guard.cmp != nullptr && !Compare(plan.guard, candidate)) return LineEdit::kKeep;
  out->clear();
  if (def.numeric) {
    const std::optional<int64_t> n = ParseInteger(candidate);
    if (!n) return LineEdit::kKeep;
    char buf[24];
    const auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), ApplyNumeric(*def.numeric, *n));
    out->append(buf, static_cast<size_t>(p - buf));
  } else if (def.output_has_refs) {
    AppendRewrite(def.output, vec, nsub, out);
  } else {
    out->append(def.output);
  }
  return *out == line ? LineEdit::kKeep : LineEdit::kReplace;
}

LineEdit Delete(const DefPlan& plan, std::string_view line) {
  const ReplaceDef& def = *plan.def;
  std::string_view candidate = line;
  if (plan.regex1) {
    StringPiece vec[1];
    const int nsub = def.guard ? 1 : 0;
    if (!ExtractMatch(plan.regex1, plan.regex2, line, vec, nsub)) return LineEdit::kKeep;
    candidate = View(vec[0]);
  }
  if (plan.guard.cmp != nullptr && !Compare(plan.guard, candidate)) return LineEdit::kKeep;
  return LineEdit::kDelete;
}

}  // namespace

bool ExtractMatch(const RegexFinder& regex1, const RegexFinder& regex2, std::string_view value,
                  StringPiece* vec, int nsub) {
  if (!regex2) return regex1.Match(value, 0, vec, nsub);
  StringPiece outer;
  if (!regex1.Match(value, 0, &outer, 1)) return false;
  return regex2.Match(View(outer), 0, vec, nsub);
}

int64_t ApplyNumeric(const NumericOp& op, int64_t n) {
  __int128 v = static_cast<__int128>(n) * op.multiply;
  if (op.divide != 0) v /= op.divide;  // truncates toward zero
  v += op.add;
  if (op.min && v < *op.min) v = *op.min;
  if (op.max && v > *op.max) v = *op.max;
  v = std::clamp<__int128>(v, std::numeric_limits<int64_t>::min(),
                           std::numeric_limits<int64_t>::max());
  return static_cast<int64_t>(v);
}

void AppendRewrite(std::string_view rewrite, const StringPiece* vec, int veclen,
                   std::string* out) {
  for (size_t i = 0; i < rewrite.size(); ++i) {
    const char c = rewrite[i];
    if (c != '\\' || i + 1 == rewrite.size()) {
      out->push_back(c);
      continue;
    }
    const char next = rewrite[++i];
    if (next >= '0' && next <= '9') {
      const int n = next - '0';
      if (n < veclen) out->append(vec[n].data(), vec[n].size());
    } else if (next == '\\') {
      out->push_back('\\');
    } else {
      // Not valid rewrite syntax (the compiler refuses it): keep the text as written.
      out->push_back('\\');
      out->push_back(next);
    }
  }
}

LineEdit RewriteLine(const DefPlan& plan, std::string_view value, std::string* out) {
  value = NonNull(value);
  switch (plan.def->type) {
    case ReplaceType::kFindSubLines:
      return FindSub(plan, value, out);
    case ReplaceType::kReplaceLines:
      return ReplaceWhole(plan, value, out);
    case ReplaceType::kDeleteLines:
      return Delete(plan, value);
    case ReplaceType::kAddLine:
      break;
  }
  return LineEdit::kKeep;
}

}  // namespace smc::internal
