// The profile compiler: JSON text -> internal::ProfileData, exactly per docs/profiles.md.
// Every problem in a file is reported (the compiler goes on after an error), each at the
// value it is about; a profile is produced only when there is no error.
#include <re2/re2.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiled_profile.h"
#include "decimal.h"
#include "located_json.h"
#include "smc/header_names.h"
#include "smc/profile.h"

namespace smc {
namespace internal {
namespace {

using nlohmann::json;

template <typename E>
struct EnumValue {
  std::string_view name;
  E value;
};

constexpr EnumValue<MsgType> kMsgTypes[] = {
    {"REQUEST", MsgType::kRequest}, {"RESPONSE", MsgType::kResponse}, {"ALL", MsgType::kAll}};
constexpr EnumValue<bool> kActions[] = {{"REPLACE_MSG", true}};
constexpr EnumValue<ReplaceType> kReplaceTypes[] = {{"FINDSUB_LINES", ReplaceType::kFindSubLines},
                                                  {"DELETE_LINES", ReplaceType::kDeleteLines},
                                                  {"REPLACE_LINES", ReplaceType::kReplaceLines},
                                                  {"ADD_LINE", ReplaceType::kAddLine}};
constexpr EnumValue<Op> kOperators[] = {
    {"EQ", Op::kEq},          {"NEQ", Op::kNeq},         {"LT", Op::kLt},
    {"LE", Op::kLe},          {"GT", Op::kGt},           {"GE", Op::kGe},
    {"MATCHES", Op::kMatches}, {"NOT_MATCHES", Op::kNotMatches}, {"EXISTS", Op::kExists},
    {"NOT_EXISTS", Op::kNotExists}};
constexpr EnumValue<bool> kHeaderAttrs[] = {{"HEADER_SECTION_ONLY", true}};
constexpr EnumValue<Scope> kScopes[] = {
    {"HEADER", Scope::kHeader}, {"REQUEST_URI", Scope::kRequestUri}, {"BODY", Scope::kBody}};
constexpr EnumValue<Position> kPositions[] = {{"LAST", Position::kLast},
                                           {"FIRST", Position::kFirst}};

template <typename E, size_t N>
std::string_view EnumName(const EnumValue<E> (&table)[N], E value) {
  for (const auto& [name, v] : table) {
    if (v == value) return name;
  }
  return "";
}

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
char AsciiUpper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiUpper(c);
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> SplitCommas(std::string_view s) {
  std::vector<std::string_view> parts;
  while (true) {
    const size_t comma = s.find(',');
    parts.push_back(Trim(s.substr(0, comma)));
    if (comma == std::string_view::npos) return parts;
    s.remove_prefix(comma + 1);
  }
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 3261 token: what a method or a header name is made of.
bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    const bool alnum = IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && std::string_view("-.!%*_+`'~").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// What a value is, for "must be X, not Y": the kind of a string or container, the text of a
// scalar.
std::string Describe(const json& v) {
  if (v.is_string()) return "a string";
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  return v.dump();
}

std::string Groups(int n) {
  if (n == 0) return "no capturing group";
  return std::to_string(n) + (n == 1 ? " capturing group" : " capturing groups");
}

// A token of RspCodeList (or of a ReqMethod that holds codes) that looks like a status
// code, a range or a class, valid or not: "200", "700", "200-299", "2xx".
bool LooksLikeCodes(std::string_view token) {
  if (token.size() == 3 && IsDigit(token[0]) && AsciiLower(token[1]) == 'x' &&
      AsciiLower(token[2]) == 'x') {
    return true;
  }
  const size_t dash = token.find('-');
  const auto all_digits = [](std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit);
  };
  if (dash == std::string_view::npos) return all_digits(token);
  return all_digits(Trim(token.substr(0, dash))) && all_digits(Trim(token.substr(dash + 1)));
}

std::optional<int> ParseCode(std::string_view s) {
  if (s.size() != 3 || !std::all_of(s.begin(), s.end(), IsDigit)) return std::nullopt;
  const int code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
  if (code < 100 || code > 699) return std::nullopt;
  return code;
}

std::optional<Rule::CodeRange> ParseCodeToken(std::string_view token) {
  if (token.size() == 3 && token[0] >= '1' && token[0] <= '6' &&
      AsciiLower(token[1]) == 'x' && AsciiLower(token[2]) == 'x') {
    const int lo = (token[0] - '0') * 100;
    return Rule::CodeRange{lo, lo + 99};
  }
  const size_t dash = token.find('-');
  if (dash == std::string_view::npos) {
    const std::optional<int> code = ParseCode(token);
    if (!code) return std::nullopt;
    return Rule::CodeRange{*code, *code};
  }
  const std::optional<int> lo = ParseCode(Trim(token.substr(0, dash)));
  const std::optional<int> hi = ParseCode(Trim(token.substr(dash + 1)));
  if (!lo || !hi || *lo > *hi) return std::nullopt;
  return Rule::CodeRange{*lo, *hi};
}

// Whether `re` can produce an empty match anywhere. An empty match depends only on the
// empty-width assertions at its position (^ $ \A \z \b \B, with or without (?m)), which
// look at most at the neighbouring characters: trying every kind of neighbour on each
// side covers every line.
bool CanMatchEmpty(const RE2& re) {
  static constexpr std::string_view kNeighbours[] = {"", "\n", "a", " "};
  for (const std::string_view before : kNeighbours) {
    for (const std::string_view after : kNeighbours) {
      const std::string text = std::string(before) + std::string(after);
      if (re.Match(text, before.size(), before.size(), RE2::UNANCHORED, nullptr, 0)) {
        return true;
      }
    }
  }
  return false;
}

// The backslash sequences of an Output: the highest reference \N (-1 when none) and
// whether every backslash starts "\\" or "\N".
struct OutputRefs {
  int max_ref = -1;
  bool well_formed = true;
};

OutputRefs ScanOutput(std::string_view output) {
  OutputRefs refs;
  for (size_t i = 0; i < output.size(); ++i) {
    if (output[i] != '\\') continue;
    if (i + 1 < output.size() && IsDigit(output[i + 1])) {
      refs.max_ref = std::max(refs.max_ref, output[i + 1] - '0');
    } else if (i + 1 >= output.size() || output[i + 1] != '\\') {
      refs.well_formed = false;
    }
    ++i;
  }
  return refs;
}

// "\\" -> "\": an Output without references, as the literal text it stands for.
std::string UnescapeOutput(std::string_view output) {
  std::string out;
  out.reserve(output.size());
  for (size_t i = 0; i < output.size(); ++i) {
    if (output[i] == '\\' && i + 1 < output.size()) ++i;
    out += output[i];
  }
  return out;
}

struct Member {
  std::string key;      // as written
  const json* value;
  std::string pointer;  // with the key as written
  SourcePos key_pos;
};

class Compiler;

// The members of one JSON object, looked up by their canonical key name, case-insensitively.
// Reading an object reports its unknown keys and the keys it repeats in another spelling.
class Fields {
 public:
  Fields(Compiler* compiler, const json& object, const std::string& pointer,
         std::initializer_list<std::string_view> known);

  const Member* Get(std::string_view canonical) const {
    for (const Member& m : members_) {
      if (EqualsIgnoreCase(m.key, canonical)) return &m;
    }
    return nullptr;
  }

 private:
  std::vector<Member> members_;  // the first of each key, in file order
};

class Compiler {
 public:
  Compiler(const LocatedJson& doc, const std::string& file, bool strict)
      : doc_(doc), file_(file), strict_(strict) {}

  std::vector<std::unique_ptr<ProfileData>> CompileDocument() {
    std::vector<std::unique_ptr<ProfileData>> profiles;
    for (const DuplicateKey& d : doc_.duplicate_keys) {
      Error(d.pointer, d.pos, "duplicate key " + Quote(d.key));
    }
    const json& root = doc_.value;
    if (root.is_object()) {
      profiles.push_back(CompileProfile(root, ""));
    } else if (root.is_array()) {
      if (root.empty()) ErrorAtValue("", "the array holds no profile");
      for (size_t i = 0; i < root.size(); ++i) {
        const std::string pointer = JsonPointerAppend("", i);
        if (root[i].is_object()) {
          profiles.push_back(CompileProfile(root[i], pointer));
        } else {
          ErrorAtValue(pointer, "a profile must be an object, not " + Describe(root[i]));
        }
      }
    } else {
      ErrorAtValue("", "a profile file must hold a profile object or an array of them, not " +
                           Describe(root));
    }
    return profiles;
  }

  std::vector<Diagnostic> TakeDiagnostics() {
    std::stable_sort(diags_.begin(), diags_.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return a.pos.line != b.pos.line ? a.pos.line < b.pos.line : a.pos.column < b.pos.column;
    });
    return std::move(diags_);
  }

  const LocatedJson& doc() const { return doc_; }

  void Error(const std::string& pointer, SourcePos pos, const std::string& message) {
    diags_.push_back(Diagnostic{Severity::kError, file_, pos, pointer, message});
  }
  void Warning(const std::string& pointer, SourcePos pos, const std::string& message) {
    diags_.push_back(Diagnostic{strict_ ? Severity::kError : Severity::kWarning, file_, pos,
                                pointer, message});
  }
  void ErrorAtValue(const std::string& pointer, const std::string& message) {
    Error(pointer, doc_.ValuePos(pointer), message);
  }
  void WarningAtValue(const std::string& pointer, const std::string& message) {
    Warning(pointer, doc_.ValuePos(pointer), message);
  }
  void ErrorAt(const Member& m, const std::string& message) { ErrorAtValue(m.pointer, message); }
  void WarningAt(const Member& m, const std::string& message) {
    WarningAtValue(m.pointer, message);
  }

 private:
  // ---- typed values ----

  const std::string* String(const Member& m, std::string_view name) {
    if (m.value->is_string()) return m.value->get_ptr<const std::string*>();
    ErrorAt(m, std::string(name) + " must be a string, not " + Describe(*m.value));
    return nullptr;
  }

  const json* Array(const Member& m, std::string_view name) {
    if (m.value->is_array()) return m.value;
    ErrorAt(m, std::string(name) + " must be an array, not " + Describe(*m.value));
    return nullptr;
  }

  // A string, or an integer taken as its decimal text.
  std::optional<std::string> Text(const Member& m, std::string_view name) {
    if (m.value->is_string()) return m.value->get<std::string>();
    if (m.value->is_number_integer()) return m.value->dump();
    ErrorAt(m, std::string(name) + " must be a string or an integer, not " + Describe(*m.value));
    return std::nullopt;
  }

  std::optional<int64_t> Integer(const Member& m, std::string_view name) {
    if (m.value->is_number_unsigned() &&
        m.value->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      ErrorAt(m, std::string(name) + " " + m.value->dump() + " is out of range");
      return std::nullopt;
    }
    if (m.value->is_number_integer()) return m.value->get<int64_t>();
    ErrorAt(m, std::string(name) + " must be an integer, not " + Describe(*m.value));
    return std::nullopt;
  }

  template <typename E, size_t N>
  std::optional<E> Enum(const Member& m, std::string_view name,
                        const EnumValue<E> (&table)[N]) {
    const std::string* s = String(m, name);
    if (s == nullptr) return std::nullopt;
    for (const auto& [spelling, value] : table) {
      if (EqualsIgnoreCase(*s, spelling)) return value;
    }
    std::string expected;
    for (const auto& [spelling, value] : table) {
      expected += expected.empty() ? "" : ", ";
      expected += spelling;
    }
    ErrorAt(m, "unknown " + std::string(name) + " " + Quote(*s) + " (expected " +
                   (N > 1 ? "one of " : "") + expected + ")");
    return std::nullopt;
  }

  // Compiled with RE2; nullptr (after an error) when it does not compile or is no string.
  std::unique_ptr<RE2> Regex(const Member& m, std::string_view name) {
    const std::string* pattern = String(m, name);
    if (pattern == nullptr) return nullptr;
    return CompileRegex(m, name, *pattern);
  }

  std::unique_ptr<RE2> CompileRegex(const Member& m, std::string_view name,
                                    const std::string& pattern) {
    RE2::Options options;
    options.set_log_errors(false);
    auto re = std::make_unique<RE2>(pattern, options);
    if (re->ok()) return re;
    ErrorAt(m, std::string(name) + " " + Quote(pattern) + " does not compile: " + re->error());
    return nullptr;
  }

  // ---- profile, rule ----

  std::unique_ptr<ProfileData> CompileProfile(const json& object, const std::string& pointer) {
    auto profile = std::make_unique<ProfileData>();
    profile->file = file_;
    const Fields f(this, object, pointer, {"ProfileID", "ProfileName", "Rules", "Description"});

    if (const Member* m = f.Get("ProfileID")) {
      if (m->value->is_string() && m->value->get_ref<const std::string&>().empty()) {
        ErrorAt(*m, "ProfileID is empty");
      } else if (std::optional<std::string> id = Text(*m, "ProfileID")) {
        profile->id = std::move(*id);
      }
    } else {
      ErrorAtValue(pointer, "missing required key \"ProfileID\"");
    }

    if (const Member* m = f.Get("ProfileName")) {
      if (const std::string* name = String(*m, "ProfileName")) profile->name = *name;
    } else {
      WarningAtValue(pointer, "missing ProfileName");
    }

    if (const Member* m = f.Get("Description")) String(*m, "Description");

    if (const Member* m = f.Get("Rules")) {
      if (const json* rules = Array(*m, "Rules")) {
        if (rules->empty()) WarningAt(*m, "Rules is empty");
        for (size_t i = 0; i < rules->size(); ++i) {
          const std::string rule_pointer = JsonPointerAppend(m->pointer, i);
          const json& rule = (*rules)[i];
          if (rule.is_object()) {
            profile->rules.push_back(CompileRule(rule, rule_pointer));
          } else {
            ErrorAtValue(rule_pointer, "a rule must be an object, not " + Describe(rule));
          }
        }
      }
    } else {
      ErrorAtValue(pointer, "missing required key \"Rules\"");
    }
    return profile;
  }

  Rule CompileRule(const json& object, const std::string& pointer) {
    Rule rule;
    rule.pointer = pointer;
    const Fields f(this, object, pointer,
                   {"MsgType", "ReqMethod", "RspCodeList", "Conditions", "Action",
                    "ReplaceDefs", "Description"});

    bool msg_type_known = true;
    if (const Member* m = f.Get("MsgType")) {
      const std::optional<MsgType> t = Enum(*m, "MsgType", kMsgTypes);
      msg_type_known = t.has_value();
      if (t) rule.msg_type = *t;
    }

    const Member* rsp_codes = f.Get("RspCodeList");
    if (rsp_codes != nullptr) {
      if (const std::string* text = String(*rsp_codes, "RspCodeList")) {
        if (!Trim(*text).empty()) {
          rule.codes = Codes(*rsp_codes, "RspCodeList", *text);
          if (msg_type_known && rule.msg_type == MsgType::kRequest) {
            WarningAt(*rsp_codes, "RspCodeList on a REQUEST rule never applies");
          }
        }
      }
    }

    if (const Member* m = f.Get("ReqMethod")) {
      if (const std::string* text = String(*m, "ReqMethod")) {
        Methods(*m, *text, msg_type_known, rsp_codes != nullptr, &rule);
      }
    }

    if (const Member* m = f.Get("Conditions")) {
      if (const json* conditions = Array(*m, "Conditions")) {
        for (size_t i = 0; i < conditions->size(); ++i) {
          const std::string p = JsonPointerAppend(m->pointer, i);
          const json& c = (*conditions)[i];
          if (c.is_object()) {
            rule.conditions.push_back(CompileCondition(c, p));
          } else {
            ErrorAtValue(p, "a condition must be an object, not " + Describe(c));
          }
        }
      }
    }

    if (const Member* m = f.Get("Action")) {
      Enum(*m, "Action", kActions);
    } else {
      ErrorAtValue(pointer, "missing required key \"Action\"");
    }

    if (const Member* m = f.Get("ReplaceDefs")) {
      if (const json* defs = Array(*m, "ReplaceDefs")) {
        if (defs->empty()) WarningAt(*m, "ReplaceDefs is empty");
        for (size_t i = 0; i < defs->size(); ++i) {
          const std::string p = JsonPointerAppend(m->pointer, i);
          const json& d = (*defs)[i];
          if (d.is_object()) {
            rule.defs.push_back(CompileDef(d, p));
          } else {
            ErrorAtValue(p, "a replace definition must be an object, not " + Describe(d));
          }
        }
      }
    } else {
      ErrorAtValue(pointer, "missing required key \"ReplaceDefs\"");
    }

    if (const Member* m = f.Get("Description")) String(*m, "Description");
    return rule;
  }

  std::vector<Rule::CodeRange> Codes(const Member& m, std::string_view name,
                                     const std::string& text) {
    std::vector<Rule::CodeRange> codes;
    for (const std::string_view token : SplitCommas(text)) {
      if (const std::optional<Rule::CodeRange> range = ParseCodeToken(token)) {
        codes.push_back(*range);
      } else {
        ErrorAt(m, "invalid status code " + Quote(token) + " in " + std::string(name) + " " +
                       Quote(text) +
                       " (expected a code 100-699, a range like 200-299 or a class like 2xx)");
      }
    }
    return codes;
  }

  void Methods(const Member& m, const std::string& text, bool msg_type_known, bool has_rsp_codes,
               Rule* rule) {
    if (Trim(text).empty()) return;  // no method named: any
    const std::vector<std::string_view> tokens = SplitCommas(text);
    const size_t code_like = static_cast<size_t>(
        std::count_if(tokens.begin(), tokens.end(),
                      [](std::string_view t) { return !t.empty() && LooksLikeCodes(t); }));
    if (code_like == tokens.size()) {
      if (!msg_type_known) return;
      if (rule->msg_type != MsgType::kResponse) {
        ErrorAt(m, "ReqMethod " + Quote(text) +
                       " holds status codes, which only a RESPONSE rule accepts (as RspCodeList)");
      } else if (has_rsp_codes) {
        ErrorAt(m, "ReqMethod " + Quote(text) +
                       " holds status codes and the rule also has RspCodeList");
      } else {
        WarningAt(m, "ReqMethod " + Quote(text) +
                         " holds status codes; taken as RspCodeList on this RESPONSE rule");
        rule->codes = Codes(m, "ReqMethod", text);
      }
      return;
    }
    if (code_like > 0) {
      ErrorAt(m, "ReqMethod " + Quote(text) + " mixes methods and status codes");
      return;
    }
    for (const std::string_view token : tokens) {
      if (token.empty()) {
        ErrorAt(m, "ReqMethod " + Quote(text) + " has an empty method");
      } else if (!IsToken(token)) {
        ErrorAt(m, "invalid method " + Quote(token) + " in ReqMethod " + Quote(text));
      } else {
        rule->methods.push_back(Upper(token));
      }
    }
  }

  // ---- targets, comparisons ----

  // The lines a condition or def looks at. `header` is set to the Header member, if any.
  std::optional<Target> CompileTarget(const Fields& f, const std::string& pointer,
                                      const Member** header) {
    Target target;
    bool ok = true;
    if (const Member* m = f.Get("Scope")) {
      const std::optional<Scope> scope = Enum(*m, "Scope", kScopes);
      if (!scope) return std::nullopt;
      target.scope = *scope;
    }
    if (const Member* m = f.Get("HeaderAttr")) {
      ok = Enum(*m, "HeaderAttr", kHeaderAttrs).has_value() && ok;
    }

    *header = f.Get("Header");
    if (target.scope != Scope::kHeader) {
      if (*header != nullptr) {
        ErrorAt(**header, "Header is not allowed with Scope " +
                              std::string(EnumName(kScopes, target.scope)));
        ok = false;
      }
      return ok ? std::optional<Target>(std::move(target)) : std::nullopt;
    }
    if (*header == nullptr) {
      ErrorAtValue(pointer, "missing required key \"Header\"");
      return std::nullopt;
    }
    const std::string* written = String(**header, "Header");
    if (written == nullptr) return std::nullopt;
    std::string_view name = Trim(*written);
    if (!name.empty() && name.back() == ':') name = Trim(name.substr(0, name.size() - 1));
    if (name.empty()) {
      ErrorAt(**header, "Header is empty");
      return std::nullopt;
    }
    if (!IsToken(name)) {
      ErrorAt(**header, "Header " + Quote(*written) + " is not a valid header name");
      return std::nullopt;
    }
    target.header = LookupHeader(name);
    if (target.header == HeaderId::kOther) {
      target.header_written = std::string(name);
      target.header_lower = Lower(name);
    } else {
      const std::string_view canonical = CanonicalHeaderName(target.header);
      // A compact form is a name for matching; a line this profile adds gets the full name.
      target.header_written = name.size() == 1 ? std::string(canonical) : std::string(name);
      target.header_lower = Lower(canonical);
    }
    return ok ? std::optional<Target>(std::move(target)) : std::nullopt;
  }

  // Operator and RightOperand. False (after reporting) when they are unusable.
  bool CompileComparison(const Member* op_member, const Member* operand, Op op,
                         Comparison* cmp) {
    cmp->op = op;
    const std::string op_name(EnumName(kOperators, op));
    std::optional<std::string> text;
    if (operand != nullptr) {
      text = Text(*operand, "RightOperand");
      if (!text) return false;
    }
    switch (op) {
      case Op::kExists:
      case Op::kNotExists:
        if (operand != nullptr) {
          ErrorAt(*operand, "RightOperand is not allowed with Operator " + op_name);
          return false;
        }
        return true;
      default:
        break;
    }
    if (!text) {
      ErrorAt(*op_member, "Operator " + op_name + " needs a RightOperand");
      return false;
    }
    cmp->text = *text;
    switch (op) {
      case Op::kLt:
      case Op::kLe:
      case Op::kGt:
      case Op::kGe:
        cmp->number = ParseInteger(*text);
        if (!cmp->number) {
          ErrorAt(*operand, "RightOperand " + Quote(*text) + " is not an integer (Operator " +
                                op_name + " compares integers)");
          return false;
        }
        return true;
      case Op::kMatches:
      case Op::kNotMatches:
        cmp->regex = CompileRegex(*operand, "RightOperand", *text);
        return cmp->regex != nullptr;
      default:
        return true;
    }
  }

  Condition CompileCondition(const json& object, const std::string& pointer) {
    Condition c;
    c.pointer = pointer;
    const Fields f(this, object, pointer,
                   {"Header", "Scope", "HeaderAttr", "Regex1", "RegEx2", "Operator",
                    "RightOperand"});
    const Member* header = nullptr;
    if (std::optional<Target> target = CompileTarget(f, pointer, &header)) {
      c.target = std::move(*target);
    }
    const Member* regex1 = f.Get("Regex1");
    if (regex1 != nullptr) c.regex1 = Regex(*regex1, "Regex1");
    if (const Member* m = f.Get("RegEx2")) {
      if (regex1 == nullptr) {
        ErrorAt(*m, "RegEx2 needs Regex1");
      } else {
        c.regex2 = Regex(*m, "RegEx2");
      }
    }
    const Member* op_member = f.Get("Operator");
    std::optional<Op> op = Op::kExists;
    if (op_member != nullptr) op = Enum(*op_member, "Operator", kOperators);
    if (op && CompileComparison(op_member, f.Get("RightOperand"), *op, &c.cmp)) {
      // A missing target line is evaluated as one line whose value is "".
      c.holds_when_absent = c.cmp.op == Op::kNotExists ||
                            (c.cmp.op != Op::kExists && Compare(c.cmp, ""));
    }
    return c;
  }

  // ---- replace definitions ----

  ReplaceDef CompileDef(const json& object, const std::string& pointer) {
    ReplaceDef d;
    d.pointer = pointer;
    const Fields f(this, object, pointer,
                   {"ReplaceType", "Header", "Scope", "HeaderAttr", "Regex1", "RegEx2",
                    "Operator", "RightOperand", "Output", "Numeric", "Position"});

    std::optional<ReplaceType> type;
    if (const Member* m = f.Get("ReplaceType")) {
      type = Enum(*m, "ReplaceType", kReplaceTypes);
    } else {
      ErrorAtValue(pointer, "missing required key \"ReplaceType\"");
    }
    if (type) d.type = *type;
    const std::string type_name(type ? EnumName(kReplaceTypes, *type) : "");
    const auto only_on = [&](const Member& m, std::string_view key, ReplaceType allowed) {
      ErrorAt(m, std::string(key) + " is allowed only on a" +
                     (allowed == ReplaceType::kAddLine ? "n " : " ") +
                     std::string(EnumName(kReplaceTypes, allowed)) + " def");
    };

    const Member* header = nullptr;
    std::optional<Target> target = CompileTarget(f, pointer, &header);
    if (target) d.target = *target;

    const Member* regex1 = f.Get("Regex1");
    const Member* regex2 = f.Get("RegEx2");
    if (type == ReplaceType::kAddLine) {
      if (regex1 != nullptr) ErrorAt(*regex1, "Regex1 is not allowed on an ADD_LINE def");
      if (regex2 != nullptr) ErrorAt(*regex2, "RegEx2 is not allowed on an ADD_LINE def");
    } else {
      if (regex1 != nullptr) d.regex1 = Regex(*regex1, "Regex1");
      if (regex2 != nullptr) {
        if (regex1 == nullptr) {
          ErrorAt(*regex2, "RegEx2 needs Regex1");
        } else {
          d.regex2 = Regex(*regex2, "RegEx2");
        }
      }
    }

    // The guard on a FINDSUB_LINES match.
    const Member* op_member = f.Get("Operator");
    const Member* operand = f.Get("RightOperand");
    if (type && type != ReplaceType::kFindSubLines) {
      if (op_member != nullptr) only_on(*op_member, "Operator", ReplaceType::kFindSubLines);
      if (operand != nullptr) only_on(*operand, "RightOperand", ReplaceType::kFindSubLines);
    } else if (op_member != nullptr) {
      if (const std::optional<Op> op = Enum(*op_member, "Operator", kOperators)) {
        if (*op == Op::kExists || *op == Op::kNotExists) {
          ErrorAt(*op_member, "Operator " + std::string(EnumName(kOperators, *op)) +
                                  " is not allowed on a replace definition");
        } else {
          d.guard.emplace();
          CompileComparison(op_member, operand, *op, &*d.guard);
        }
      }
    } else if (operand != nullptr) {
      ErrorAt(*operand, "RightOperand needs an Operator");
    }

    const Member* output = f.Get("Output");
    const std::string* output_text = output != nullptr ? String(*output, "Output") : nullptr;
    if (output_text != nullptr) {
      const size_t bad = output_text->find_first_of(std::string_view("\r\n\0", 3));
      if (bad != std::string::npos) {
        const char c = (*output_text)[bad];
        ErrorAt(*output, c == '\0' ? "Output contains a NUL byte: header injection is refused"
                                   : std::string("Output contains a line break (") +
                                         (c == '\r' ? "CR" : "LF") +
                                         "): header injection is refused");
        output_text = nullptr;
      }
    }

    const Member* numeric = f.Get("Numeric");
    if (numeric != nullptr) {
      if (type && type != ReplaceType::kFindSubLines) {
        only_on(*numeric, "Numeric", ReplaceType::kFindSubLines);
      } else if (output != nullptr) {
        ErrorAt(*numeric, "Numeric is not allowed with Output");
      } else {
        d.numeric = CompileNumeric(*numeric);
      }
    }

    if (const Member* m = f.Get("Position")) {
      if (type && type != ReplaceType::kAddLine) {
        only_on(*m, "Position", ReplaceType::kAddLine);
      } else if (const std::optional<Position> p = Enum(*m, "Position", kPositions)) {
        d.position = *p;
      }
    }

    if (!type) return d;
    switch (*type) {
      case ReplaceType::kFindSubLines:
        if (regex1 == nullptr) ErrorAtValue(pointer, "FINDSUB_LINES needs Regex1");
        if (output == nullptr && numeric == nullptr) {
          ErrorAtValue(pointer, "FINDSUB_LINES needs Output or Numeric");
        }
        break;
      case ReplaceType::kDeleteLines:
        if (output != nullptr) ErrorAt(*output, "Output is not allowed on a DELETE_LINES def");
        break;
      case ReplaceType::kReplaceLines:
      case ReplaceType::kAddLine:
        if (output == nullptr) ErrorAtValue(pointer, type_name + " needs Output");
        break;
    }
    if (target && target->scope == Scope::kRequestUri &&
        (*type == ReplaceType::kDeleteLines || *type == ReplaceType::kAddLine)) {
      ErrorAt(*f.Get("Scope"), type_name + " cannot be used with Scope REQUEST_URI");
    }

    if (output_text != nullptr) {
      if (*type == ReplaceType::kAddLine) {
        d.output = *output_text;  // literal
      } else if (*type != ReplaceType::kDeleteLines) {
        const Member* used_member = regex2 != nullptr ? regex2 : regex1;
        const RE2* used = d.regex2 != nullptr ? d.regex2.get() : d.regex1.get();
        if (used_member == nullptr) {
          CheckLiteralOutput(*output, *output_text, &d);
        } else if (used != nullptr) {
          CheckRewriteOutput(*output, *output_text, *used,
                             used_member == regex2 ? "RegEx2" : "Regex1", &d);
        }
      }
    }

    if (target && target->scope == Scope::kHeader) {
      Protect(*header, *type, regex1, regex2, &d);
    }

    if (*type == ReplaceType::kFindSubLines) {
      // The regex whose matches are replaced.
      const Member* used_member = regex2 != nullptr ? regex2 : regex1;
      const RE2* used = d.regex2 != nullptr ? d.regex2.get() : d.regex1.get();
      if (used != nullptr && CanMatchEmpty(*used)) {
        WarningAt(*used_member, std::string(used_member == regex2 ? "RegEx2" : "Regex1") + " " +
                                    Quote(used->pattern()) +
                                    " can match the empty string (FINDSUB_LINES would insert at "
                                    "every position)");
      }
    }
    return d;
  }

  void CheckRewriteOutput(const Member& m, const std::string& output, const RE2& re,
                          std::string_view regex_name, ReplaceDef* d) {
    std::string error;
    if (!re.CheckRewriteString(output, &error)) {
      if (RE2::MaxSubmatch(output) > re.NumberOfCapturingGroups()) {
        ErrorAt(m, "Output refers to \\" + std::to_string(RE2::MaxSubmatch(output)) + " but " +
                       std::string(regex_name) + " " + Quote(re.pattern()) + " has " +
                       Groups(re.NumberOfCapturingGroups()));
      } else {
        ErrorAt(m, "Output " + Quote(output) +
                       " has a backslash that is neither \\\\ nor a reference \\0..\\9");
      }
      return;
    }
    // The rewriter takes an Output without references as the literal text it stands for.
    d->output_has_refs = ScanOutput(output).max_ref >= 0;
    d->output = d->output_has_refs ? output : UnescapeOutput(output);
  }

  // REPLACE_LINES without a regex: nothing to refer to; "\\" still stands for "\".
  void CheckLiteralOutput(const Member& m, const std::string& output, ReplaceDef* d) {
    const OutputRefs refs = ScanOutput(output);
    if (refs.max_ref >= 0) {
      ErrorAt(m, "Output refers to \\" + std::to_string(refs.max_ref) +
                     " but the def has no Regex1");
    } else if (!refs.well_formed) {
      ErrorAt(m, "Output " + Quote(output) +
                     " has a backslash that is neither \\\\ nor a reference \\0..\\9");
    } else {
      d->output = UnescapeOutput(output);
    }
  }

  // What identifies transactions and dialogs is never edited (docs/profiles.md, "What is
  // refused").
  void Protect(const Member& header, ReplaceType type, const Member* regex1,
               const Member* regex2, ReplaceDef* d) {
    const HeaderId id = d->target.header;
    const std::string name(CanonicalHeaderName(id));
    switch (id) {
      case HeaderId::kVia:
      case HeaderId::kCallId:
      case HeaderId::kCSeq:
        ErrorAt(header, "editing " + name + " is refused: it identifies transactions and dialogs");
        return;
      case HeaderId::kContentLength:
        ErrorAt(header, "editing " + name + " is refused: smc keeps it right itself");
        return;
      case HeaderId::kFrom:
      case HeaderId::kTo:
        break;
      default:
        return;
    }
    switch (type) {
      case ReplaceType::kDeleteLines:
        ErrorAt(header, "deleting " + name + " is refused: it identifies dialogs");
        return;
      case ReplaceType::kAddLine:
        ErrorAt(header, "adding " + name + " is refused: it identifies dialogs");
        return;
      case ReplaceType::kReplaceLines:
        ErrorAt(header, "replacing the whole value of " + name +
                            " is refused: it carries the dialog tag");
        return;
      case ReplaceType::kFindSubLines:
        break;
    }
    d->guard_tag = true;
    for (const auto& [member, regex_name] :
         {std::pair{regex1, "Regex1"}, std::pair{regex2, "RegEx2"}}) {
      if (member == nullptr || !member->value->is_string()) continue;
      const std::string& pattern = member->value->get_ref<const std::string&>();
      if (Lower(pattern).find("tag") != std::string::npos) {
        ErrorAt(*member, std::string(regex_name) + " " + Quote(pattern) + " on " + name +
                             " mentions the tag parameter: refused");
      }
    }
  }

  std::optional<NumericOp> CompileNumeric(const Member& m) {
    if (!m.value->is_object()) {
      ErrorAt(m, "Numeric must be an object, not " + Describe(*m.value));
      return std::nullopt;
    }
    NumericOp n;
    bool ok = true;
    const Fields f(this, *m.value, m.pointer, {"Multiply", "Divide", "Add", "Min", "Max"});
    const auto read = [&](std::string_view key) -> std::optional<int64_t> {
      const Member* member = f.Get(key);
      if (member == nullptr) return std::nullopt;
      std::optional<int64_t> v = Integer(*member, key);
      ok = ok && v.has_value();
      return v;
    };
    if (const auto v = read("Multiply")) n.multiply = *v;
    if (const auto v = read("Divide")) {
      if (*v == 0) {
        ErrorAt(*f.Get("Divide"), "Divide must not be 0");
        ok = false;
      }
      n.divide = *v;
    }
    if (const auto v = read("Add")) n.add = *v;
    n.min = read("Min");
    n.max = read("Max");
    if (n.min && n.max && *n.min > *n.max) {
      ErrorAt(*f.Get("Max"), "Max " + std::to_string(*n.max) + " is below Min " +
                                 std::to_string(*n.min));
      ok = false;
    }
    if (!ok) return std::nullopt;
    return n;
  }

  const LocatedJson& doc_;
  const std::string& file_;
  const bool strict_;
  std::vector<Diagnostic> diags_;
};

Fields::Fields(Compiler* compiler, const json& object, const std::string& pointer,
               std::initializer_list<std::string_view> known) {
  std::vector<Member> all;
  for (const auto& [key, value] : object.items()) {
    std::string p = JsonPointerAppend(pointer, key);
    const SourcePos pos = compiler->doc().KeyPos(p);
    all.push_back(Member{key, &value, std::move(p), pos});
  }
  std::stable_sort(all.begin(), all.end(), [](const Member& a, const Member& b) {
    return a.key_pos.line != b.key_pos.line ? a.key_pos.line < b.key_pos.line
                                            : a.key_pos.column < b.key_pos.column;
  });
  for (Member& m : all) {
    if (const Member* first = Get(m.key)) {
      compiler->Error(m.pointer, m.key_pos,
                      "duplicate key " + Quote(m.key) + " (same as " + Quote(first->key) + ")");
      continue;
    }
    const bool is_known = std::any_of(known.begin(), known.end(), [&](std::string_view k) {
      return EqualsIgnoreCase(k, m.key);
    });
    if (!is_known) {
      compiler->Warning(m.pointer, m.key_pos, "unknown key " + Quote(m.key));
      continue;
    }
    members_.push_back(std::move(m));
  }
}

CompileResult Compile(std::string_view text, const std::string& file,
                      const CompileOptions& options) {
  CompileResult result;
  const std::optional<LocatedJson> doc = ParseLocatedJson(text, file, &result.diagnostics);
  if (!doc) return result;
  Compiler compiler(*doc, file, options.strict);
  std::vector<std::unique_ptr<ProfileData>> profiles = compiler.CompileDocument();
  result.diagnostics = compiler.TakeDiagnostics();
  if (HasErrors(result.diagnostics)) return result;
  for (std::unique_ptr<ProfileData>& data : profiles) {
    result.profiles.push_back(std::make_shared<const CompiledProfile>(std::move(data)));
  }
  return result;
}

}  // namespace
}  // namespace internal

CompiledProfile::CompiledProfile(std::unique_ptr<internal::ProfileData> data)
    : data_(std::move(data)) {}
CompiledProfile::~CompiledProfile() = default;

const std::string& CompiledProfile::id() const { return data_->id; }
const std::string& CompiledProfile::name() const { return data_->name; }
const std::string& CompiledProfile::file() const { return data_->file; }
size_t CompiledProfile::rule_count() const { return data_->rules.size(); }

CompileResult CompileProfiles(std::string_view json_text, const std::string& file,
                              const CompileOptions& options) {
  return internal::Compile(json_text, file, options);
}

CompileResult CompileProfileFile(const std::string& path, const CompileOptions& options) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  std::string text;
  int error = f == nullptr ? errno : 0;
  if (f != nullptr) {
    char buffer[65536];
    size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
    if (std::ferror(f)) error = errno != 0 ? errno : EIO;
    std::fclose(f);
  }
  if (error != 0) {
    CompileResult result;
    result.diagnostics.push_back(Diagnostic{Severity::kError, path, SourcePos{}, "",
                                            std::string("cannot read file: ") +
                                                std::strerror(error)});
    return result;
  }
  return internal::Compile(text, path, options);
}

}  // namespace smc
