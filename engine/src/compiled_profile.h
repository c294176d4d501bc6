// The compiled form of a profile: what the compiler (profile_compiler.cpp) produces and the
// rewriter (profile_chain.cpp) executes. Internal to the engine; immutable once built.
#ifndef SMC_ENGINE_COMPILED_PROFILE_H_
#define SMC_ENGINE_COMPILED_PROFILE_H_

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "smc/header_names.h"

namespace smc::internal {

enum class MsgType : uint8_t { kAll, kRequest, kResponse };
enum class Scope : uint8_t { kHeader, kRequestUri, kBody };
enum class Op : uint8_t {
  kEq, kNeq, kLt, kLe, kGt, kGe, kMatches, kNotMatches, kExists, kNotExists
};
enum class ReplaceType : uint8_t { kFindSubLines, kDeleteLines, kReplaceLines, kAddLine };
enum class Position : uint8_t { kLast, kFirst };

// The lines a condition or def looks at.
struct Target {
  Scope scope = Scope::kHeader;
  HeaderId header = HeaderId::kOther;  // for kHeader
  std::string header_lower;            // lower-cased full name, for HeaderId::kOther
  std::string header_written;          // the name as the profile wrote it, without colon
                                       // (used as the name of lines ADD_LINE creates;
                                       // the canonical name when the profile used a
                                       // compact form)
};

// A comparison of a text value: Operator + RightOperand.
struct Comparison {
  Op op = Op::kExists;
  std::string text;                // RightOperand as text
  std::optional<int64_t> number;   // RightOperand as an integer, for LT/LE/GT/GE
  std::unique_ptr<RE2> regex;      // RightOperand compiled, for MATCHES/NOT_MATCHES
};

struct Condition {
  Target target;
  std::unique_ptr<RE2> regex1;  // null when absent
  std::unique_ptr<RE2> regex2;  // null when absent
  Comparison cmp;
  // True when the condition holds on a target that has no lines (evaluated at compile time
  // on ""): a rule whose conditions all need their header present can be skipped when it
  // is absent.
  bool holds_when_absent = false;
  std::string pointer;  // JSON pointer, for --explain
};

struct NumericOp {
  int64_t multiply = 1;
  int64_t divide = 1;
  int64_t add = 0;
  std::optional<int64_t> min;
  std::optional<int64_t> max;
};

struct ReplaceDef {
  ReplaceType type = ReplaceType::kFindSubLines;
  Target target;
  std::unique_ptr<RE2> regex1;
  std::unique_ptr<RE2> regex2;
  std::optional<Comparison> guard;   // Operator/RightOperand on the def
  std::string output;                // RE2 rewrite string (\0..\9), or literal for ADD_LINE
  bool output_has_refs = false;      // Output contains \0..\9
  std::optional<NumericOp> numeric;  // instead of Output
  Position position = Position::kLast;
  // From/To rewrites must keep the tag parameter: checked at run time.
  bool guard_tag = false;
  std::string pointer;
};

struct Rule {
  MsgType msg_type = MsgType::kAll;
  std::vector<std::string> methods;  // upper-cased; empty = any
  struct CodeRange { int lo; int hi; };
  std::vector<CodeRange> codes;      // empty = any
  std::vector<Condition> conditions;
  std::vector<ReplaceDef> defs;
  std::string pointer;  // "/Rules/3" or "/0/Rules/3"
};

struct ProfileData {
  std::string id;
  std::string name;
  std::string file;
  std::vector<Rule> rules;
};

// Shared by compiler and rewriter: the value/comparison semantics of docs/profiles.md.
bool Compare(const Comparison& cmp, std::string_view value);

}  // namespace smc::internal

#endif  // SMC_ENGINE_COMPILED_PROFILE_H_
