// What a replace definition does to the value of one line, as pure functions on text: the
// rule executor decides which lines a def sees and writes the results into the message.
#ifndef SMC_ENGINE_LINE_REWRITE_H_
#define SMC_ENGINE_LINE_REWRITE_H_

#include <re2/re2.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "compiled_profile.h"
#include "decimal.h"  // ParseInteger, which Numeric applies to matches
#include "regex_finder.h"

namespace smc::internal {

// Room for \0..\9, the most a rewrite string can refer to.
constexpr int kMaxSubmatches = 10;

// The first match of `regex1` in `value`, then the first match of `regex2` (when it has a
// regex) inside it. On success `vec[0]` is that innermost match and vec[1..nsub) its groups;
// `nsub` is how many entries the caller needs (0: only whether it matched, at most
// kMaxSubmatches). `value` must not have a null data pointer.
bool ExtractMatch(const RegexFinder& regex1, const RegexFinder& regex2, std::string_view value,
                  re2::StringPiece* vec, int nsub);

// clamp((n * multiply) / divide + add, min, max), saturating at the int64 range.
int64_t ApplyNumeric(const NumericOp& op, int64_t n);

// Appends `rewrite` with \0..\9 replaced by vec[N] and \\ by a backslash (RE2::Rewrite's
// syntax); a reference to an entry vec does not have is dropped.
void AppendRewrite(std::string_view rewrite, const re2::StringPiece* vec, int veclen,
                   std::string* out);

enum class LineEdit : uint8_t { kKeep, kReplace, kDelete };

// Decides what a FINDSUB_LINES, REPLACE_LINES or DELETE_LINES def does to a line whose value
// is `value`. For kReplace the new value (never equal to `value`) is in `*out`; otherwise
// `*out` is unspecified. Allocates nothing when the def leaves the line as it is, unless
// `*out` must grow for a match whose replacement turns out to change nothing.
struct DefPlan;
LineEdit RewriteLine(const DefPlan& plan, std::string_view value, std::string* out);

}  // namespace smc::internal

#endif  // SMC_ENGINE_LINE_REWRITE_H_
