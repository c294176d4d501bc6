#include <gtest/gtest.h>
#include <re2/re2.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "compiled_profile.h"
#include "smc/diagnostic.h"
#include "smc/profile.h"

namespace smc {
namespace {

using internal::MsgType;
using internal::Op;
using internal::Position;
using internal::ProfileData;
using internal::ReplaceType;
using internal::Scope;

// The three profiles of the VSXi "SIP Session Timers" guide, verbatim.
constexpr std::string_view kVsxi17 =
    R"({ "ProfileID": 17, "ProfileName": "Remove UPDATE method from Allow Header", "Rules": [ { "MsgType": "RESPONSE", "RspCodeList": "200", "Conditions": [ { "Header": "Allow:", "HeaderAttr": "HEADER_SECTION_ONLY", "Regex1": "UPDATE", "Operator": "NEQ", "RightOperand": "" } ], "Action": "REPLACE_MSG", "ReplaceDefs": [ { "ReplaceType": "FINDSUB_LINES", "Header": "Allow:", "HeaderAttr": "HEADER_SECTION_ONLY", "Regex1": ",UPDATE", "Output": "" } ] } ] })";
constexpr std::string_view kVsxi100 =
    R"({ "ProfileID": "100", "ProfileName": "Replaces Expires Value", "Rules": [{ "MsgType": "RESPONSE", "RspCodeList": "200", "Conditions": [{ "Header": "Session-Expires", "HeaderAttr": "HEADER_SECTION_ONLY", "RegEx1": "[0-9]+;", "RegEx2": "[0-9]+", "Operator": "EQ", "RightOperand": "1800" }], "Action": "REPLACE_MSG", "ReplaceDefs": [{ "ReplaceType": "FINDSUB_LINES", "Header": "Session-Expires", "HeaderAttr": "HEADER_SECTION_ONLY", "RegEx1": "[0-9]+;", "RegEx2": "[0-9]+", "Operator": "EQ", "RightOperand": "1800", "Output": "900" }] }] })";
constexpr std::string_view kVsxi18 =
    R"({ "ProfileID": 18, "ProfileName": "Remove Session-Expires Line", "Rules": [ { "MsgType": "RESPONSE", "ReqMethod": "200", "Conditions": [ { "Header": "Session-Expires:", "HeaderAttr": "HEADER_SECTION_ONLY", "Operator": "NEQ", "RightOperand": "" } ], "Action": "REPLACE_MSG", "ReplaceDefs": [ { "ReplaceType": "DELETE_LINES", "Header": "Session-Expires:", "HeaderAttr": "HEADER_SECTION_ONLY" } ] } ] })";

constexpr char kFile[] = "p.json";

CompileResult Compile(std::string_view text, bool strict = false) {
  CompileOptions options;
  options.strict = strict;
  return CompileProfiles(text, kFile, options);
}

std::vector<std::string> Lines(const CompileResult& r) {
  std::vector<std::string> lines;
  for (const Diagnostic& d : r.diagnostics) lines.push_back(FormatDiagnostic(d));
  return lines;
}

std::vector<std::string> Diagnose(std::string_view text, bool strict = false) {
  return Lines(Compile(text, strict));
}

// "LINE:COL" of the `nth` occurrence of `needle` in `text`: where a diagnostic about that
// fragment must point.
std::string At(std::string_view text, std::string_view needle, int nth = 0) {
  size_t offset = text.find(needle);
  for (int i = 0; i < nth && offset != std::string_view::npos; ++i) {
    offset = text.find(needle, offset + 1);
  }
  if (offset == std::string_view::npos) return "needle not found: " + std::string(needle);
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return std::to_string(line) + ":" + std::to_string(offset - line_start + 1);
}

// A diagnostic line as FormatDiagnostic writes it (the whole document's pointer is "").
std::string Line(std::string_view severity, std::string_view text, std::string_view needle,
                 std::string_view pointer, std::string_view message) {
  return std::string(kFile) + ":" + At(text, needle) + ": " + std::string(severity) + ": " +
         (pointer.empty() ? std::string("\"\"") : std::string(pointer)) + ": " +
         std::string(message);
}

std::string Error(std::string_view text, std::string_view needle, std::string_view pointer,
                  std::string_view message) {
  return Line("error", text, needle, pointer, message);
}

std::string Warning(std::string_view text, std::string_view needle, std::string_view pointer,
                    std::string_view message) {
  return Line("warning", text, needle, pointer, message);
}

// A profile of one rule made of `members` and "Action".
std::string OneRule(std::string_view members) {
  return std::string("{\n  \"ProfileID\": 1,\n  \"ProfileName\": \"test\",\n  \"Rules\": [\n"
                     "    {\n      ") +
         std::string(members) + ",\n      \"Action\": \"REPLACE_MSG\"\n    }\n  ]\n}\n";
}

constexpr std::string_view kPlainDef = R"({"ReplaceType": "DELETE_LINES", "Header": "X-Foo"})";

std::string WithDef(std::string_view def) {
  return OneRule("\"ReplaceDefs\": [\n        " + std::string(def) + "\n      ]");
}

std::string WithCondition(std::string_view condition) {
  return OneRule("\"Conditions\": [\n        " + std::string(condition) +
                 "\n      ],\n      \"ReplaceDefs\": [" + std::string(kPlainDef) + "]");
}

const ProfileData& Only(const CompileResult& r) {
  static const ProfileData kNone;
  EXPECT_EQ(r.profiles.size(), 1u);
  return r.profiles.empty() ? kNone : r.profiles.front()->data();
}

// ---------------------------------------------------------------- the VSXi profiles

TEST(ProfileCompilerTest, VsxiProfile17) {
  const CompileResult r = Compile(kVsxi17);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(Lines(r), std::vector<std::string>{});
  const ProfileData& p = Only(r);
  EXPECT_EQ(p.id, "17");
  EXPECT_EQ(p.name, "Remove UPDATE method from Allow Header");
  EXPECT_EQ(p.file, kFile);
  ASSERT_EQ(p.rules.size(), 1u);
  const internal::Rule& rule = p.rules[0];
  EXPECT_EQ(rule.pointer, "/Rules/0");
  EXPECT_EQ(rule.msg_type, MsgType::kResponse);
  EXPECT_TRUE(rule.methods.empty());
  ASSERT_EQ(rule.codes.size(), 1u);
  EXPECT_EQ(rule.codes[0].lo, 200);
  EXPECT_EQ(rule.codes[0].hi, 200);
  ASSERT_EQ(rule.conditions.size(), 1u);
  const internal::Condition& c = rule.conditions[0];
  EXPECT_EQ(c.target.scope, Scope::kHeader);
  EXPECT_EQ(c.target.header, HeaderId::kAllow);
  ASSERT_NE(c.regex1, nullptr);
  EXPECT_EQ(c.regex1->pattern(), "UPDATE");
  EXPECT_EQ(c.regex2, nullptr);
  EXPECT_EQ(c.cmp.op, Op::kNeq);
  EXPECT_EQ(c.cmp.text, "");
  EXPECT_FALSE(c.holds_when_absent);
  EXPECT_EQ(c.pointer, "/Rules/0/Conditions/0");
  ASSERT_EQ(rule.defs.size(), 1u);
  const internal::ReplaceDef& d = rule.defs[0];
  EXPECT_EQ(d.type, ReplaceType::kFindSubLines);
  EXPECT_EQ(d.target.header, HeaderId::kAllow);
  EXPECT_EQ(d.target.header_written, "Allow");
  ASSERT_NE(d.regex1, nullptr);
  EXPECT_EQ(d.regex1->pattern(), ",UPDATE");
  EXPECT_EQ(d.output, "");
  EXPECT_FALSE(d.output_has_refs);
  EXPECT_FALSE(d.guard.has_value());
  EXPECT_FALSE(d.guard_tag);
  EXPECT_EQ(d.pointer, "/Rules/0/ReplaceDefs/0");
}

TEST(ProfileCompilerTest, VsxiProfile100) {
  const CompileResult r = Compile(kVsxi100);
  EXPECT_EQ(Lines(r), std::vector<std::string>{});
  const ProfileData& p = Only(r);
  EXPECT_EQ(p.id, "100");
  ASSERT_EQ(p.rules.size(), 1u);
  const internal::Condition& c = p.rules[0].conditions.at(0);
  EXPECT_EQ(c.target.header, HeaderId::kSessionExpires);
  ASSERT_NE(c.regex2, nullptr);
  EXPECT_EQ(c.regex1->pattern(), "[0-9]+;");
  EXPECT_EQ(c.regex2->pattern(), "[0-9]+");
  EXPECT_EQ(c.cmp.op, Op::kEq);
  EXPECT_EQ(c.cmp.text, "1800");
  const internal::ReplaceDef& d = p.rules[0].defs.at(0);
  ASSERT_TRUE(d.guard.has_value());
  EXPECT_EQ(d.guard->op, Op::kEq);
  EXPECT_EQ(d.guard->text, "1800");
  ASSERT_NE(d.regex2, nullptr);
  EXPECT_EQ(d.output, "900");
}

TEST(ProfileCompilerTest, VsxiProfile18LoadsWithExactlyOneWarning) {
  const CompileResult r = Compile(kVsxi18);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(Lines(r), std::vector<std::string>{Warning(
                          kVsxi18, R"("200")", "/Rules/0/ReqMethod",
                          R"(ReqMethod "200" holds status codes; taken as RspCodeList on this )"
                          "RESPONSE rule")});
  const ProfileData& p = Only(r);
  ASSERT_EQ(p.rules.size(), 1u);
  EXPECT_TRUE(p.rules[0].methods.empty());
  ASSERT_EQ(p.rules[0].codes.size(), 1u);
  EXPECT_EQ(p.rules[0].codes[0].lo, 200);
  EXPECT_EQ(p.rules[0].codes[0].hi, 200);
  EXPECT_EQ(p.rules[0].defs.at(0).type, ReplaceType::kDeleteLines);
  EXPECT_EQ(p.rules[0].defs.at(0).target.header, HeaderId::kSessionExpires);
}

TEST(ProfileCompilerTest, VsxiProfile18IsRefusedUnderStrict) {
  const CompileResult r = Compile(kVsxi18, /*strict=*/true);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.profiles.empty());
  EXPECT_EQ(Lines(r), std::vector<std::string>{Error(
                          kVsxi18, R"("200")", "/Rules/0/ReqMethod",
                          R"(ReqMethod "200" holds status codes; taken as RspCodeList on this )"
                          "RESPONSE rule")});
}

TEST(ProfileCompilerTest, ArrayOfTheThreeVsxiProfiles) {
  const std::string text = "[" + std::string(kVsxi17) + ",\n" + std::string(kVsxi100) + ",\n" +
                           std::string(kVsxi18) + "]";
  const CompileResult r = Compile(text);
  // The third "200" of the file is profile 18's ReqMethod.
  EXPECT_EQ(Lines(r), std::vector<std::string>{
                          "p.json:" + At(text, R"("200")", 2) +
                          ": warning: /2/Rules/0/ReqMethod: ReqMethod \"200\" holds status "
                          "codes; taken as RspCodeList on this RESPONSE rule"});
  ASSERT_EQ(r.profiles.size(), 3u);
  EXPECT_EQ(r.profiles[0]->id(), "17");
  EXPECT_EQ(r.profiles[1]->id(), "100");
  EXPECT_EQ(r.profiles[2]->id(), "18");
  EXPECT_EQ(r.profiles[2]->data().rules[0].pointer, "/2/Rules/0");
}

TEST(ProfileCompilerTest, ProfileAccessors) {
  const CompileResult r = Compile(kVsxi17);
  ASSERT_EQ(r.profiles.size(), 1u);
  EXPECT_EQ(r.profiles[0]->id(), "17");
  EXPECT_EQ(r.profiles[0]->name(), "Remove UPDATE method from Allow Header");
  EXPECT_EQ(r.profiles[0]->file(), kFile);
  EXPECT_EQ(r.profiles[0]->rule_count(), 1u);
}

// ---------------------------------------------------------------- spelling

TEST(ProfileCompilerTest, KeysAndEnumValuesAreCaseInsensitive) {
  const std::string text = R"({"profileid": 5, "PROFILENAME": "x", "rules": [{
    "msgtype": "response", "reqmethod": "invite, Update", "rspcodelist": "1xx, 200, 300-399",
    "conditions": [{"header": "x", "headerattr": "header_section_only", "REGEX1": "[0-9]+",
                    "operator": "ge", "rightoperand": 90}],
    "action": "replace_msg",
    "replacedefs": [{"replacetype": "add_line", "scope": "header", "header": "Min-SE",
                     "output": "90", "position": "first"}]}]})";
  const CompileResult r = Compile(text);
  EXPECT_EQ(Lines(r), std::vector<std::string>{});
  const ProfileData& p = Only(r);
  EXPECT_EQ(p.id, "5");
  ASSERT_EQ(p.rules.size(), 1u);
  const internal::Rule& rule = p.rules[0];
  EXPECT_EQ(rule.pointer, "/rules/0");  // as written
  EXPECT_EQ(rule.msg_type, MsgType::kResponse);
  EXPECT_EQ(rule.methods, (std::vector<std::string>{"INVITE", "UPDATE"}));
  ASSERT_EQ(rule.codes.size(), 3u);
  EXPECT_EQ(rule.codes[0].lo, 100);
  EXPECT_EQ(rule.codes[0].hi, 199);
  EXPECT_EQ(rule.codes[1].lo, 200);
  EXPECT_EQ(rule.codes[1].hi, 200);
  EXPECT_EQ(rule.codes[2].lo, 300);
  EXPECT_EQ(rule.codes[2].hi, 399);
  const internal::Condition& c = rule.conditions.at(0);
  EXPECT_EQ(c.target.header, HeaderId::kSessionExpires);
  EXPECT_EQ(c.cmp.op, Op::kGe);
  EXPECT_EQ(c.cmp.text, "90");  // a number is taken as its decimal text
  EXPECT_EQ(c.cmp.number, 90);
  const internal::ReplaceDef& d = rule.defs.at(0);
  EXPECT_EQ(d.type, ReplaceType::kAddLine);
  EXPECT_EQ(d.position, Position::kFirst);
  EXPECT_EQ(d.target.header, HeaderId::kMinSE);
  EXPECT_EQ(d.output, "90");
}

TEST(ProfileCompilerTest, HeaderTargets) {
  struct Case {
    const char* written;
    HeaderId id;
    const char* lower;
    const char* header_written;
  };
  for (const Case& c : {Case{"Allow:", HeaderId::kAllow, "allow", "Allow"},
                        Case{" allow : ", HeaderId::kAllow, "allow", "allow"},
                        Case{"x", HeaderId::kSessionExpires, "session-expires", "Session-Expires"},
                        Case{"X:", HeaderId::kSessionExpires, "session-expires", "Session-Expires"},
                        Case{"session-expires", HeaderId::kSessionExpires, "session-expires",
                             "session-expires"},
                        Case{"X-Vendor-ID", HeaderId::kOther, "x-vendor-id", "X-Vendor-ID"}}) {
    SCOPED_TRACE(c.written);
    const std::string text = WithDef(std::string(R"({"ReplaceType": "ADD_LINE", "Header": ")") +
                                     c.written + R"(", "Output": "1"})");
    const CompileResult r = Compile(text);
    EXPECT_EQ(Lines(r), std::vector<std::string>{});
    const internal::Target& t = Only(r).rules.at(0).defs.at(0).target;
    EXPECT_EQ(t.scope, Scope::kHeader);
    EXPECT_EQ(t.header, c.id);
    EXPECT_EQ(t.header_lower, c.lower);
    EXPECT_EQ(t.header_written, c.header_written);
  }
}

TEST(ProfileCompilerTest, ScopesTakeNoHeader) {
  const std::string text = WithDef(
      R"({"ReplaceType": "FINDSUB_LINES", "Scope": "REQUEST_URI", "Regex1": "^sip:", "Output": "sips:"},
        {"ReplaceType": "ADD_LINE", "Scope": "BODY", "Output": "a=ptime:20"})");
  const CompileResult r = Compile(text);
  EXPECT_EQ(Lines(r), std::vector<std::string>{});
  const internal::Rule& rule = Only(r).rules.at(0);
  ASSERT_EQ(rule.defs.size(), 2u);
  EXPECT_EQ(rule.defs[0].target.scope, Scope::kRequestUri);
  EXPECT_EQ(rule.defs[1].target.scope, Scope::kBody);
  EXPECT_EQ(rule.defs[1].target.header_written, "");
}

// ---------------------------------------------------------------- compiled values

TEST(ProfileCompilerTest, HoldsWhenAbsentIsTheConditionOnAnEmptyValue) {
  struct Case {
    const char* condition;
    bool holds_when_absent;
  };
  for (const Case& c : {
           Case{R"({"Header": "Allow", "Operator": "NOT_EXISTS"})", true},
           Case{R"({"Header": "Allow", "Operator": "EXISTS"})", false},
           Case{R"({"Header": "Allow"})", false},  // EXISTS is the default
           Case{R"({"Header": "Allow", "Regex1": "UPDATE", "Operator": "NEQ", "RightOperand": ""})",
                false},
           Case{R"({"Header": "Allow", "Operator": "EQ", "RightOperand": ""})", true},
           Case{R"({"Header": "Allow", "Operator": "NEQ", "RightOperand": "x"})", true},
           Case{R"({"Header": "Allow", "Operator": "NOT_MATCHES", "RightOperand": "UPDATE"})", true},
           Case{R"({"Header": "Allow", "Operator": "MATCHES", "RightOperand": "UPDATE"})", false},
           Case{R"({"Header": "Allow", "Operator": "MATCHES", "RightOperand": "^$"})", true},
           Case{R"({"Header": "Min-SE", "Operator": "LT", "RightOperand": "90"})", false},
       }) {
    SCOPED_TRACE(c.condition);
    const CompileResult r = Compile(WithCondition(c.condition));
    EXPECT_EQ(Lines(r), std::vector<std::string>{});
    EXPECT_EQ(Only(r).rules.at(0).conditions.at(0).holds_when_absent, c.holds_when_absent);
  }
}

TEST(ProfileCompilerTest, ComparisonOperands) {
  const std::string text = WithCondition(
      R"({"Header": "Min-SE", "Operator": "LT", "RightOperand": "+90"},
        {"Header": "Min-SE", "Operator": "GE", "RightOperand": -1},
        {"Header": "Allow", "Operator": "MATCHES", "RightOperand": "(?i)update"})");
  const CompileResult r = Compile(text);
  EXPECT_EQ(Lines(r), std::vector<std::string>{});
  const auto& conditions = Only(r).rules.at(0).conditions;
  ASSERT_EQ(conditions.size(), 3u);
  EXPECT_EQ(conditions[0].cmp.number, 90);
  EXPECT_EQ(conditions[1].cmp.text, "-1");
  EXPECT_EQ(conditions[1].cmp.number, -1);
  ASSERT_NE(conditions[2].cmp.regex, nullptr);
  EXPECT_TRUE(internal::Compare(conditions[2].cmp, "INVITE, UPDATE"));
}

TEST(ProfileCompilerTest, OutputReferencesAndBackslashes) {
  const std::string text = WithDef(
      R"({"ReplaceType": "FINDSUB_LINES", "Header": "To", "Regex1": "(sip:)1?([0-9]{10})@", "Output": "\\1+1\\2@"},
        {"ReplaceType": "FINDSUB_LINES", "Header": "X-A", "Regex1": "/", "Output": "\\\\"},
        {"ReplaceType": "REPLACE_LINES", "Header": "X-B", "Output": "a\\\\b"},
        {"ReplaceType": "REPLACE_LINES", "Header": "X-C", "Regex1": "[0-9]+", "Output": "<\\0>"},
        {"ReplaceType": "ADD_LINE", "Header": "X-D", "Output": "a\\\\b\\1"})");
  const CompileResult r = Compile(text);
  EXPECT_EQ(Lines(r), std::vector<std::string>{});
  const auto& defs = Only(r).rules.at(0).defs;
  ASSERT_EQ(defs.size(), 5u);
  EXPECT_TRUE(defs[0].output_has_refs);
  EXPECT_EQ(defs[0].output, R"(\1+1\2@)");
  EXPECT_TRUE(defs[0].guard_tag);  // a From/To rewrite keeps its tag
  // Without references an Output is the text it stands for: "\\" is one backslash.
  EXPECT_FALSE(defs[1].output_has_refs);
  EXPECT_EQ(defs[1].output, R"(\)");
  EXPECT_FALSE(defs[2].output_has_refs);
  EXPECT_EQ(defs[2].output, R"(a\b)");
  EXPECT_TRUE(defs[3].output_has_refs);
  EXPECT_EQ(defs[3].output, R"(<\0>)");
  // ADD_LINE takes Output literally.
  EXPECT_FALSE(defs[4].output_has_refs);
  EXPECT_EQ(defs[4].output, R"(a\\b\1)");
}

TEST(ProfileCompilerTest, NumericValues) {
  const std::string text = WithDef(
      R"({"ReplaceType": "FINDSUB_LINES", "Header": "x", "Regex1": "^[0-9]+",
          "Numeric": {"Multiply": 3, "Divide": -2, "Add": 7, "Min": 90, "Max": 86400}},
        {"ReplaceType": "FINDSUB_LINES", "Header": "x", "Regex1": "^[0-9]+", "Numeric": {}})");
  const CompileResult r = Compile(text);
  EXPECT_EQ(Lines(r), std::vector<std::string>{});
  const auto& defs = Only(r).rules.at(0).defs;
  ASSERT_EQ(defs.size(), 2u);
  ASSERT_TRUE(defs[0].numeric.has_value());
  EXPECT_EQ(defs[0].numeric->multiply, 3);
  EXPECT_EQ(defs[0].numeric->divide, -2);
  EXPECT_EQ(defs[0].numeric->add, 7);
  EXPECT_EQ(defs[0].numeric->min, 90);
  EXPECT_EQ(defs[0].numeric->max, 86400);
  ASSERT_TRUE(defs[1].numeric.has_value());
  EXPECT_EQ(defs[1].numeric->multiply, 1);
  EXPECT_EQ(defs[1].numeric->divide, 1);
  EXPECT_EQ(defs[1].numeric->add, 0);
  EXPECT_FALSE(defs[1].numeric->min.has_value());
  EXPECT_FALSE(defs[1].numeric->max.has_value());
}

TEST(ProfileCompilerTest, RuleDefaults) {
  const CompileResult r = Compile(WithDef(kPlainDef));
  EXPECT_EQ(Lines(r), std::vector<std::string>{});
  const internal::Rule& rule = Only(r).rules.at(0);
  EXPECT_EQ(rule.msg_type, MsgType::kAll);
  EXPECT_TRUE(rule.methods.empty());
  EXPECT_TRUE(rule.codes.empty());
  EXPECT_TRUE(rule.conditions.empty());
}

// ---------------------------------------------------------------- the file

TEST(ProfileCompilerTest, SyntaxErrorIsOneDiagnosticWhereParsingStopped) {
  // The lexer stops at the end of the unexpected token: the closing quote of "x".
  const std::string text = "{\n  \"ProfileID\": 1,\n  \"Rules\": [\n    {\"Action\" \"x\"}\n]}";
  EXPECT_EQ(Diagnose(text),
            std::vector<std::string>{
                "p.json:4:17: error: \"\": syntax error while parsing object separator - "
                "unexpected string literal; expected ':'"});
  EXPECT_TRUE(Compile(text).profiles.empty());
}

TEST(ProfileCompilerTest, RootMustBeAProfileOrAnArrayOfThem) {
  EXPECT_EQ(Diagnose("\"x\""),
            std::vector<std::string>{"p.json:1:1: error: \"\": a profile file must hold a "
                                     "profile object or an array of them, not a string"});
  EXPECT_EQ(Diagnose("  42"),
            std::vector<std::string>{"p.json:1:3: error: \"\": a profile file must hold a "
                                     "profile object or an array of them, not 42"});
  EXPECT_EQ(Diagnose("[]"),
            std::vector<std::string>{"p.json:1:1: error: \"\": the array holds no profile"});
  const std::string text = "[" + std::string(kVsxi17) + ",\n null]";
  EXPECT_EQ(Diagnose(text), std::vector<std::string>{"p.json:2:2: error: /1: a profile must "
                                                     "be an object, not null"});
  EXPECT_TRUE(Compile(text).profiles.empty());  // no profile at all when one is in error
}

TEST(ProfileCompilerTest, ArrayPointersNameTheProfile) {
  const std::string text = "[" + std::string(kVsxi17) + ",\n" +
                           WithCondition(R"({"Header": "Allow", "Operator": "EQQ"})") + "]";
  EXPECT_EQ(Diagnose(text),
            std::vector<std::string>{Error(
                text, R"("EQQ")", "/1/Rules/0/Conditions/0/Operator",
                R"(unknown Operator "EQQ" (expected one of EQ, NEQ, LT, LE, GT, GE, MATCHES, )"
                "NOT_MATCHES, EXISTS, NOT_EXISTS)")});
}

TEST(ProfileCompilerTest, EveryProblemIsReportedInFileOrder) {
  const std::string text = R"([
  {
    "ProfileID": 1,
    "Rules": [
      {
        "MsgType": "RESPONSES",
        "Conditions": [
          {"Operator": "EQQ", "Header": "Allow", "Regex1": "(", "Extra": 1}
        ],
        "Action": "REPLACE_MSG",
        "ReplaceDefs": [
          {"ReplaceType": "FINDSUB_LINES", "Header": "Via", "Regex1": "x", "Output": "y\r"}
        ]
      },
      {"Action": "REPLACE_MSG", "ReplaceDefs": [], "RspCodeList": "9xx"}
    ]
  },
  {"ProfileName": "no id", "Rules": []}
])";
  const std::vector<std::string> expected = {
      Warning(text, R"({
    "ProfileID": 1)", "/0", "missing ProfileName"),
      Error(text, R"("RESPONSES")", "/0/Rules/0/MsgType",
            R"(unknown MsgType "RESPONSES" (expected one of REQUEST, RESPONSE, ALL))"),
      Error(text, R"("EQQ")", "/0/Rules/0/Conditions/0/Operator",
            R"(unknown Operator "EQQ" (expected one of EQ, NEQ, LT, LE, GT, GE, MATCHES, )"
            "NOT_MATCHES, EXISTS, NOT_EXISTS)"),
      Error(text, R"("(")", "/0/Rules/0/Conditions/0/Regex1",
            R"(Regex1 "(" does not compile: missing ): ()"),
      Warning(text, R"("Extra")", "/0/Rules/0/Conditions/0/Extra", R"(unknown key "Extra")"),
      Error(text, R"("Via")", "/0/Rules/0/ReplaceDefs/0/Header",
            "editing Via is refused: it identifies transactions and dialogs"),
      Error(text, R"("y\r")", "/0/Rules/0/ReplaceDefs/0/Output",
            "Output contains a line break (CR): header injection is refused"),
      Warning(text, "[]", "/0/Rules/1/ReplaceDefs", "ReplaceDefs is empty"),
      Error(text, R"("9xx")", "/0/Rules/1/RspCodeList",
            R"(invalid status code "9xx" in RspCodeList "9xx" (expected a code 100-699, a )"
            "range like 200-299 or a class like 2xx)"),
      Error(text, R"({"ProfileName")", "/1", R"(missing required key "ProfileID")"),
      Warning(text, "[]}", "/1/Rules", "Rules is empty"),
  };
  const CompileResult r = Compile(text);
  EXPECT_EQ(Lines(r), expected);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.profiles.empty());
}

TEST(ProfileCompilerTest, PositionsOfValuesAndKeys) {
  const std::string text =
      "{\"ProfileID\": 1, \"ProfileName\": \"n\",\n"
      " \"Rules\": [\n"
      "  {\"ReplaceDefs\": [{\"ReplaceType\": \"DELETE_LINES\",\n"
      "                   \"Header\": \"X-A\", \"Bogus\": 1}],\n"
      "   \"Action\": \"REPLACE_MSG\", \"MsgType\": 7}]}";
  EXPECT_EQ(Diagnose(text),
            (std::vector<std::string>{
                "p.json:4:37: warning: /Rules/0/ReplaceDefs/0/Bogus: unknown key \"Bogus\"",
                "p.json:5:40: error: /Rules/0/MsgType: MsgType must be a string, not 7"}));
}

TEST(ProfileCompilerTest, RepeatedKeysInAnySpellingAreErrors) {
  const std::string text = WithCondition(
      R"({"Header": "Allow", "Regex1": "UPDATE", "RegEx1": "INVITE", "Operator": "NEQ", "RightOperand": ""})");
  const CompileResult r = Compile(text);
  EXPECT_EQ(Lines(r), std::vector<std::string>{Error(
                          text, R"("RegEx1")", "/Rules/0/Conditions/0/RegEx1",
                          R"(duplicate key "RegEx1" (same as "Regex1"))")});
  EXPECT_TRUE(r.profiles.empty());

  const std::string exact = R"({"ProfileID": 1, "ProfileName": "a", "ProfileID": 2, "Rules": []})";
  EXPECT_EQ(Diagnose(exact),
            (std::vector<std::string>{
                Error(exact, R"("ProfileID": 2)", "/ProfileID", R"(duplicate key "ProfileID")"),
                Warning(exact, "[]", "/Rules", "Rules is empty")}));
}

TEST(ProfileCompilerTest, UnknownKeysAreWarningsOrErrorsUnderStrict) {
  const std::string text = R"({"ProfileID": 1, "ProfileName": "a", "Vendor": {"x": 1},
    "Rules": [{"Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "DELETE_LINES",
    "Header": "X-A", "Comment": "why"}]}]})";
  const CompileResult lenient = Compile(text);
  EXPECT_EQ(Lines(lenient),
            (std::vector<std::string>{
                Warning(text, R"("Vendor")", "/Vendor", R"(unknown key "Vendor")"),
                Warning(text, R"("Comment")", "/Rules/0/ReplaceDefs/0/Comment",
                        R"(unknown key "Comment")")}));
  EXPECT_EQ(lenient.profiles.size(), 1u);
  const CompileResult strict = Compile(text, /*strict=*/true);
  EXPECT_EQ(Lines(strict),
            (std::vector<std::string>{
                Error(text, R"("Vendor")", "/Vendor", R"(unknown key "Vendor")"),
                Error(text, R"("Comment")", "/Rules/0/ReplaceDefs/0/Comment",
                      R"(unknown key "Comment")")}));
  EXPECT_TRUE(strict.profiles.empty());
}

TEST(ProfileCompilerTest, PointersEscapeKeysAsWritten) {
  const std::string text = R"({"ProfileID": 1, "ProfileName": "a", "a/b~c": 1, "Rules": []})";
  EXPECT_EQ(Diagnose(text),
            (std::vector<std::string>{
                Warning(text, R"("a/b~c")", "/a~1b~0c", R"(unknown key "a/b~c")"),
                Warning(text, "[]", "/Rules", "Rules is empty")}));
}

// ---------------------------------------------------------------- profile keys

TEST(ProfileCompilerTest, ProfileKeys) {
  struct Case {
    const char* text;
    const char* needle;
    const char* pointer;
    const char* message;
  };
  constexpr char kRules[] = R"("Rules": [{"Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "DELETE_LINES", "Header": "X-A"}]}])";
  for (const Case& c : {
           Case{R"({"ProfileName": "a", R})", "{", "", R"(missing required key "ProfileID")"},
           Case{R"({"ProfileID": "", "ProfileName": "a", R})", R"("")", "/ProfileID",
                "ProfileID is empty"},
           Case{R"({"ProfileID": 1.5, "ProfileName": "a", R})", "1.5", "/ProfileID",
                "ProfileID must be a string or an integer, not 1.5"},
           Case{R"({"ProfileID": [1], "ProfileName": "a", R})", "[1]", "/ProfileID",
                "ProfileID must be a string or an integer, not an array"},
           Case{R"({"ProfileID": 1, "ProfileName": 2, R})", "2", "/ProfileName",
                "ProfileName must be a string, not 2"},
           Case{R"({"ProfileID": 1, "ProfileName": "a", "Description": false, R})", "false",
                "/Description", "Description must be a string, not false"},
           Case{R"({"ProfileID": 1, "ProfileName": "a"})", "{", "",
                R"(missing required key "Rules")"},
           Case{R"({"ProfileID": 1, "ProfileName": "a", "Rules": {}})", "{}", "/Rules",
                "Rules must be an array, not an object"},
           Case{R"({"ProfileID": 1, "ProfileName": "a", "Rules": ["x"]})", R"("x")", "/Rules/0",
                "a rule must be an object, not a string"},
       }) {
    std::string text = c.text;
    const size_t r = text.find(", R}");
    if (r != std::string::npos) text.replace(r, 4, std::string(", ") + kRules + "}");
    SCOPED_TRACE(text);
    EXPECT_EQ(Diagnose(text), std::vector<std::string>{Error(text, c.needle, c.pointer, c.message)});
  }
}

TEST(ProfileCompilerTest, ProfileIdNumbersAreTheirDecimalText) {
  EXPECT_EQ(Only(Compile(WithDef(kPlainDef))).id, "1");
  std::string text = WithDef(kPlainDef);
  text.replace(text.find("1,"), 1, "-12");
  EXPECT_EQ(Only(Compile(text)).id, "-12");
}

// ---------------------------------------------------------------- warnings

TEST(ProfileCompilerTest, EveryWarningAndItsStrictError) {
  struct Case {
    std::string text;
    const char* needle;
    const char* pointer;
    const char* message;
  };
  const std::vector<Case> cases = {
      {R"({"ProfileID": 1, "Rules": [{"Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "DELETE_LINES", "Header": "X-A"}]}]})",
       "{", "", "missing ProfileName"},
      {R"({"ProfileID": 1, "ProfileName": "a", "Rules": []})", "[]", "/Rules", "Rules is empty"},
      {OneRule(R"("ReplaceDefs": [])"), "[]", "/Rules/0/ReplaceDefs", "ReplaceDefs is empty"},
      {OneRule(R"("MsgType": "REQUEST", "RspCodeList": "200", "ReplaceDefs": [{"ReplaceType": "DELETE_LINES", "Header": "X-A"}])"),
       R"("200")", "/Rules/0/RspCodeList", "RspCodeList on a REQUEST rule never applies"},
      {OneRule(R"("MsgType": "RESPONSE", "ReqMethod": "2xx, 180", "ReplaceDefs": [{"ReplaceType": "DELETE_LINES", "Header": "X-A"}])"),
       R"("2xx, 180")", "/Rules/0/ReqMethod",
       R"(ReqMethod "2xx, 180" holds status codes; taken as RspCodeList on this RESPONSE rule)"},
      {WithDef(R"({"ReplaceType": "FINDSUB_LINES", "Header": "Allow", "Regex1": "x*", "Output": "y"})"),
       R"("x*")", "/Rules/0/ReplaceDefs/0/Regex1",
       R"(Regex1 "x*" can match the empty string (FINDSUB_LINES would insert at every position))"},
      {WithDef(R"({"ReplaceType": "FINDSUB_LINES", "Header": "Allow", "Regex1": "\\b", "Output": "y"})"),
       R"("\\b")", "/Rules/0/ReplaceDefs/0/Regex1",
       R"(Regex1 "\b" can match the empty string (FINDSUB_LINES would insert at every position))"},
      {WithDef(R"({"ReplaceType": "FINDSUB_LINES", "Header": "Allow", "Regex1": "(?m)$", "Output": "y"})"),
       R"("(?m)$")", "/Rules/0/ReplaceDefs/0/Regex1",
       R"(Regex1 "(?m)$" can match the empty string (FINDSUB_LINES would insert at every position))"},
      {WithDef(R"({"ReplaceType": "FINDSUB_LINES", "Header": "Allow", "Regex1": "UPDATE", "RegEx2": "E?", "Output": "y"})"),
       R"("E?")", "/Rules/0/ReplaceDefs/0/RegEx2",
       R"(RegEx2 "E?" can match the empty string (FINDSUB_LINES would insert at every position))"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    const CompileResult lenient = Compile(c.text);
    EXPECT_EQ(Lines(lenient),
              std::vector<std::string>{Warning(c.text, c.needle, c.pointer, c.message)});
    EXPECT_EQ(lenient.profiles.size(), 1u);
    const CompileResult strict = Compile(c.text, /*strict=*/true);
    EXPECT_EQ(Lines(strict),
              std::vector<std::string>{Error(c.text, c.needle, c.pointer, c.message)});
    EXPECT_TRUE(strict.profiles.empty());
  }
}

TEST(ProfileCompilerTest, RegexesThatNeedTextDoNotWarn) {
  for (const char* regex : {",UPDATE", "^[0-9]+", "[0-9]+;", "\\\\bfoo\\\\b", "x+", "(a|b)"}) {
    SCOPED_TRACE(regex);
    EXPECT_EQ(Diagnose(WithDef(std::string(R"({"ReplaceType": "FINDSUB_LINES", "Header": "Allow", "Regex1": ")") +
                               regex + R"(", "Output": "y"})")),
              std::vector<std::string>{});
  }
  // Only the regex whose matches are replaced matters.
  EXPECT_EQ(Diagnose(WithDef(
                R"({"ReplaceType": "FINDSUB_LINES", "Header": "Allow", "Regex1": "[0-9]*", "RegEx2": "[0-9]", "Output": "y"})")),
            std::vector<std::string>{});
}

// ---------------------------------------------------------------- rule errors

struct ErrorCase {
  std::string text;
  const char* needle;
  const char* pointer;
  const char* message;
};

void ExpectOneError(const ErrorCase& c) {
  SCOPED_TRACE(c.text);
  const CompileResult r = Compile(c.text);
  EXPECT_EQ(Lines(r), std::vector<std::string>{Error(c.text, c.needle, c.pointer, c.message)});
  EXPECT_TRUE(r.profiles.empty());
}

constexpr char kDefs[] =
    R"("ReplaceDefs": [{"ReplaceType": "DELETE_LINES", "Header": "X-A"}])";

std::string RuleWith(const std::string& members) { return OneRule(members + ", " + kDefs); }

TEST(ProfileCompilerTest, RuleErrors) {
  constexpr char kCodes[] =
      " (expected a code 100-699, a range like 200-299 or a class like 2xx)";
  const std::vector<ErrorCase> cases = {
      {RuleWith(R"("MsgType": 1)"), R"(1, "ReplaceDefs")", "/Rules/0/MsgType", "MsgType must be a string, not 1"},
      {RuleWith(R"("MsgType": "REQ")"), R"("REQ")", "/Rules/0/MsgType",
       R"(unknown MsgType "REQ" (expected one of REQUEST, RESPONSE, ALL))"},
      {OneRule(R"("ReplaceDefs": {})"), "{}", "/Rules/0/ReplaceDefs",
       "ReplaceDefs must be an array, not an object"},
      {OneRule(R"("ReplaceDefs": [7])"), "7", "/Rules/0/ReplaceDefs/0",
       "a replace definition must be an object, not 7"},
      {RuleWith(R"("Conditions": "Allow")"), R"("Allow")", "/Rules/0/Conditions",
       "Conditions must be an array, not a string"},
      {RuleWith(R"("Conditions": ["Allow"])"), R"("Allow")", "/Rules/0/Conditions/0",
       "a condition must be an object, not a string"},
      {RuleWith(R"("RspCodeList": 200)"), "200", "/Rules/0/RspCodeList",
       "RspCodeList must be a string, not 200"},
      {RuleWith(R"("ReqMethod": ["INVITE"])"), R"(["INVITE"])", "/Rules/0/ReqMethod",
       "ReqMethod must be a string, not an array"},
      {OneRule(R"("Description": "no defs")"), "{\n      \"Description\"", "/Rules/0",
       R"(missing required key "ReplaceDefs")"},
  };
  for (const ErrorCase& c : cases) ExpectOneError(c);

  for (const char* token : {"700", "99", "2xx-3xx", "abc", "299-200", "7xx", "0xx", "2000", ""}) {
    const std::string list = std::string("200, ") + token;
    const std::string text = RuleWith(R"("MsgType": "RESPONSE", "RspCodeList": ")" + list + "\"");
    const std::string message = "invalid status code \"" + std::string(token) +
                                "\" in RspCodeList \"" + list + "\"" + kCodes;
    ExpectOneError({text, "\"200, ", "/Rules/0/RspCodeList", message.c_str()});
  }
}

TEST(ProfileCompilerTest, MissingActionAndUnknownAction) {
  const std::string missing = "{\"ProfileID\": 1, \"ProfileName\": \"a\", \"Rules\": [{" +
                              std::string(kDefs) + "}]}";
  ExpectOneError({missing, "{\"Replace", "/Rules/0", R"(missing required key "Action")"});
  ExpectOneError({OneRule(std::string(kDefs)).replace(
                      OneRule(std::string(kDefs)).find("REPLACE_MSG"), 11, "REPLACE"),
                  R"("REPLACE")", "/Rules/0/Action",
                  R"(unknown Action "REPLACE" (expected REPLACE_MSG))"});
}

TEST(ProfileCompilerTest, ReqMethodErrors) {
  const std::vector<ErrorCase> cases = {
      {RuleWith(R"("MsgType": "REQUEST", "ReqMethod": "200")"), R"("200")",
       "/Rules/0/ReqMethod",
       R"(ReqMethod "200" holds status codes, which only a RESPONSE rule accepts (as RspCodeList))"},
      {RuleWith(R"("ReqMethod": "200")"), R"("200")", "/Rules/0/ReqMethod",
       R"(ReqMethod "200" holds status codes, which only a RESPONSE rule accepts (as RspCodeList))"},
      {RuleWith(R"("MsgType": "RESPONSE", "ReqMethod": "200", "RspCodeList": "2xx")"),
       R"("200")", "/Rules/0/ReqMethod",
       R"(ReqMethod "200" holds status codes and the rule also has RspCodeList)"},
      {RuleWith(R"("MsgType": "RESPONSE", "ReqMethod": "INVITE,200")"), R"("INVITE,200")",
       "/Rules/0/ReqMethod", R"(ReqMethod "INVITE,200" mixes methods and status codes)"},
      {RuleWith(R"("ReqMethod": "IN VITE")"), R"("IN VITE")", "/Rules/0/ReqMethod",
       R"(invalid method "IN VITE" in ReqMethod "IN VITE")"},
      {RuleWith(R"("ReqMethod": "INVITE,,BYE")"), R"("INVITE,,BYE")", "/Rules/0/ReqMethod",
       R"(ReqMethod "INVITE,,BYE" has an empty method)"},
      {RuleWith(R"("MsgType": "RESPONSE", "ReqMethod": "200, 700")"), R"("200, 700")",
       "/Rules/0/ReqMethod",
       R"(ReqMethod "200, 700" holds status codes; taken as RspCodeList on this RESPONSE rule)"},
  };
  for (size_t i = 0; i + 1 < cases.size(); ++i) ExpectOneError(cases[i]);
  // Codes taken from ReqMethod are checked like RspCodeList: a warning, then the error.
  const ErrorCase& last = cases.back();
  EXPECT_EQ(Diagnose(last.text),
            (std::vector<std::string>{
                Warning(last.text, last.needle, last.pointer, last.message),
                Error(last.text, last.needle, last.pointer,
                      R"(invalid status code "700" in ReqMethod "200, 700" (expected a code )"
                      "100-699, a range like 200-299 or a class like 2xx)")}));
}

TEST(ProfileCompilerTest, EmptyMethodAndCodeListsMeanAny) {
  const CompileResult r =
      Compile(RuleWith(R"("MsgType": "RESPONSE", "ReqMethod": "", "RspCodeList": " ")"));
  EXPECT_EQ(Lines(r), std::vector<std::string>{});
  EXPECT_TRUE(Only(r).rules.at(0).methods.empty());
  EXPECT_TRUE(Only(r).rules.at(0).codes.empty());
}

// ---------------------------------------------------------------- condition errors

TEST(ProfileCompilerTest, ConditionErrors) {
  constexpr char kP[] = "/Rules/0/Conditions/0";
  struct Case {
    const char* condition;
    const char* needle;
    const char* key;  // appended to kP
    const char* message;
  };
  for (const Case& c : {
           Case{R"({"Header": "Allow", "Operator": "EQQ"})", R"("EQQ")", "/Operator",
                R"(unknown Operator "EQQ" (expected one of EQ, NEQ, LT, LE, GT, GE, MATCHES, NOT_MATCHES, EXISTS, NOT_EXISTS))"},
           Case{R"({"Header": "Allow", "Operator": 1})", "1}", "/Operator",
                "Operator must be a string, not 1"},
           Case{R"({"Header": "Allow", "Operator": "EQ"})", R"("EQ")", "/Operator",
                "Operator EQ needs a RightOperand"},
           Case{R"({"Header": "Allow", "Operator": "EXISTS", "RightOperand": "x"})", R"("x")",
                "/RightOperand", "RightOperand is not allowed with Operator EXISTS"},
           Case{R"({"Header": "Allow", "RightOperand": ""})", R"("")", "/RightOperand",
                "RightOperand is not allowed with Operator EXISTS"},
           Case{R"({"Header": "Allow", "Operator": "NOT_EXISTS", "RightOperand": ""})", R"("")",
                "/RightOperand", "RightOperand is not allowed with Operator NOT_EXISTS"},
           Case{R"({"Header": "Min-SE", "Operator": "LT", "RightOperand": "abc"})", R"("abc")",
                "/RightOperand", R"(RightOperand "abc" is not an integer (Operator LT compares integers))"},
           Case{R"({"Header": "Min-SE", "Operator": "GE", "RightOperand": "99999999999999999999"})",
                R"("9999)", "/RightOperand",
                R"(RightOperand "99999999999999999999" is not an integer (Operator GE compares integers))"},
           Case{R"({"Header": "Allow", "Operator": "EQ", "RightOperand": true})", "true",
                "/RightOperand", "RightOperand must be a string or an integer, not true"},
           Case{R"({"Header": "Allow", "Operator": "EQ", "RightOperand": 1.5})", "1.5",
                "/RightOperand", "RightOperand must be a string or an integer, not 1.5"},
           Case{R"({"Header": "Allow", "Operator": "MATCHES", "RightOperand": "a**"})", R"("a**")",
                "/RightOperand", R"(RightOperand "a**" does not compile: bad repetition operator: **)"},
           Case{R"({"Header": "Allow", "Regex1": "[0-9+"})", R"("[0-9+")", "/Regex1",
                R"(Regex1 "[0-9+" does not compile: missing ]: [0-9+)"},
           Case{R"({"Header": "Allow", "Regex1": "a", "RegEx2": "(?P<n"})", R"("(?P<n")", "/RegEx2",
                R"(RegEx2 "(?P<n" does not compile: invalid named capture group: (?P<n)"},
           Case{R"({"Header": "Allow", "RegEx2": "a"})", R"("a")", "/RegEx2", "RegEx2 needs Regex1"},
           Case{R"({"Header": "Allow", "Regex1": 5})", "5}", "/Regex1", "Regex1 must be a string, not 5"},
           Case{R"({"Operator": "EXISTS"})", R"({"Operator")", "", R"(missing required key "Header")"},
           Case{R"({"Header": null})", "null", "/Header", "Header must be a string, not null"},
           Case{R"({"Header": " : "})", R"(" : ")", "/Header", "Header is empty"},
           Case{R"({"Header": "Al low"})", R"("Al low")", "/Header",
                R"(Header "Al low" is not a valid header name)"},
           Case{R"({"Scope": "BODY", "Header": "Allow"})", R"("Allow")", "/Header",
                "Header is not allowed with Scope BODY"},
           Case{R"({"Scope": "URI"})", R"("URI")", "/Scope",
                R"(unknown Scope "URI" (expected one of HEADER, REQUEST_URI, BODY))"},
           Case{R"({"Header": "Allow", "HeaderAttr": "ANYWHERE"})", R"("ANYWHERE")", "/HeaderAttr",
                R"(unknown HeaderAttr "ANYWHERE" (expected HEADER_SECTION_ONLY))"},
       }) {
    const std::string text = WithCondition(c.condition);
    ExpectOneError({text, c.needle, (std::string(kP) + c.key).c_str(), c.message});
  }
}

TEST(ProfileCompilerTest, ConditionsMayReadProtectedHeaders) {
  EXPECT_EQ(Diagnose(WithCondition(
                R"({"Header": "Via", "Regex1": "TLS"}, {"Header": "From", "Regex1": "tag="},
                   {"Header": "Content-Length", "Operator": "GT", "RightOperand": 0})")),
            std::vector<std::string>{});
}

// ---------------------------------------------------------------- def errors

TEST(ProfileCompilerTest, ReplaceDefErrors) {
  constexpr char kP[] = "/Rules/0/ReplaceDefs/0";
  struct Case {
    const char* def;
    const char* needle;
    const char* key;  // appended to kP
    const char* message;
  };
  for (const Case& c : {
           Case{R"({"ReplaceType": "FINDSUB", "Header": "Allow", "Regex1": "a", "Output": "b"})",
                R"("FINDSUB")", "/ReplaceType",
                R"(unknown ReplaceType "FINDSUB" (expected one of FINDSUB_LINES, DELETE_LINES, REPLACE_LINES, ADD_LINE))"},
           Case{R"({"Header": "Allow", "Regex1": "a", "Output": "b"})", R"({"Header")", "",
                R"(missing required key "ReplaceType")"},
           Case{R"({"ReplaceType": "DELETE_LINES"})", "{\"ReplaceType", "",
                R"(missing required key "Header")"},
           Case{R"({"ReplaceType": "FINDSUB_LINES", "Header": "Allow", "Regex1": "[0-9+", "Output": "x"})",
                R"("[0-9+")", "/Regex1", R"(Regex1 "[0-9+" does not compile: missing ]: [0-9+)"},
           Case{R"({"ReplaceType": "FINDSUB_LINES", "Header": "Allow", "Regex1": "a", "RegEx2": "(b", "Output": "x"})",
                R"("(b")", "/RegEx2", R"(RegEx2 "(b" does not compile: missing ): (b)"},
           Case{R"({"ReplaceType": "FINDSUB_LINES", "Header": "Allow", "RegEx2": "b", "Regex1": "a", "Output": "\\2"})",
                R"("\\2")", "/Output", R"(Output refers to \2 but RegEx2 "b" has no capturing group)"},
           // Header injection.
           Case{R"({"ReplaceType": "FINDSUB_LINES", "Header": "Allow", "Regex1": "a", "Output": "b\r\nX-Evil: 1"})",
                R"("b\r)", "/Output", "Output contains a line break (CR): header injection is refused"},
           Case{R"({"ReplaceType": "REPLACE_LINES", "Header": "Allow", "Output": "b\nX-Evil: 1"})",
                R"("b\n)", "/Output", "Output contains a line break (LF): header injection is refused"},
           Case{R"({"ReplaceType": "ADD_LINE", "Header": "X-A", "Output": "b\u0000"})",
                R"("b\u)", "/Output", "Output contains a NUL byte: header injection is refused"},
           // References.
           Case{R"j({"ReplaceType": "FINDSUB_LINES", "Header": "Allow", "Regex1": "(a)", "Output": "\\1\\2"})j",
                R"("\\1)", "/Output", R"j(Output refers to \2 but Regex1 "(a)" has 1 capturing group)j"},
           Case{R"j({"ReplaceType": "FINDSUB_LINES", "Header": "Allow", "Regex1": "(a)(b)(c)", "Output": "\\9"})j",
                R"("\\9")", "/Output", R"j(Output refers to \9 but Regex1 "(a)(b)(c)" has 3 capturing groups)j"},
           Case{R"j({"ReplaceType": "REPLACE_LINES", "Header": "Allow", "Regex1": "(a)", "Output": "a\\q"})j",
                R"("a\\q")", "/Output", R"(Output "a\q" has a backslash that is neither \\ nor a reference \0..\9)"},
           Case{R"({"ReplaceType": "REPLACE_LINES", "Header": "Allow", "Output": "x\\"})",
                R"("x\\")", "/Output", R"(Output "x\" has a backslash that is neither \\ nor a reference \0..\9)"},
           Case{R"({"ReplaceType": "REPLACE_LINES", "Header": "Allow", "Output": "\\0"})",
                R"("\\0")", "/Output", R"(Output refers to \0 but the def has no Regex1)"},
           Case{R"({"ReplaceType": "REPLACE_LINES", "Header": "Allow", "Output": 900})", "900",
                "/Output", "Output must be a string, not 900"},
           // What each type needs and refuses.
           Case{R"({"ReplaceType": "FINDSUB_LINES", "Header": "Allow", "Output": "x"})",
                "{\"ReplaceType", "", "FINDSUB_LINES needs Regex1"},
           Case{R"({"ReplaceType": "FINDSUB_LINES", "Header": "Allow", "Regex1": "a"})",
                "{\"ReplaceType", "", "FINDSUB_LINES needs Output or Numeric"},
           Case{R"({"ReplaceType": "REPLACE_LINES", "Header": "Allow"})", "{\"ReplaceType", "",
                "REPLACE_LINES needs Output"},
           Case{R"({"ReplaceType": "ADD_LINE", "Header": "X-A"})", "{\"ReplaceType", "",
                "ADD_LINE needs Output"},
           Case{R"({"ReplaceType": "DELETE_LINES", "Header": "Allow", "Output": ""})", R"("")",
                "/Output", "Output is not allowed on a DELETE_LINES def"},
           Case{R"({"ReplaceType": "ADD_LINE", "Header": "X-A", "Regex1": "a", "Output": "b"})",
                R"("a")", "/Regex1", "Regex1 is not allowed on an ADD_LINE def"},
           Case{R"({"ReplaceType": "ADD_LINE", "Header": "X-A", "Output": "b", "RegEx2": "a"})",
                R"("a")", "/RegEx2", "RegEx2 is not allowed on an ADD_LINE def"},
           Case{R"({"ReplaceType": "DELETE_LINES", "Header": "X-A", "Position": "FIRST"})",
                R"("FIRST")", "/Position", "Position is allowed only on an ADD_LINE def"},
           Case{R"({"ReplaceType": "ADD_LINE", "Header": "X-A", "Output": "b", "Position": "MIDDLE"})",
                R"("MIDDLE")", "/Position", R"(unknown Position "MIDDLE" (expected one of LAST, FIRST))"},
           Case{R"({"ReplaceType": "DELETE_LINES", "Scope": "REQUEST_URI"})", R"("REQUEST_URI")",
                "/Scope", "DELETE_LINES cannot be used with Scope REQUEST_URI"},
           Case{R"({"ReplaceType": "ADD_LINE", "Scope": "REQUEST_URI", "Output": "x"})",
                R"("REQUEST_URI")", "/Scope", "ADD_LINE cannot be used with Scope REQUEST_URI"},
           // Guards.
           Case{R"({"ReplaceType": "DELETE_LINES", "Header": "X-A", "Operator": "EQ"})", R"("EQ")",
                "/Operator", "Operator is allowed only on a FINDSUB_LINES def"},
           Case{R"({"ReplaceType": "REPLACE_LINES", "Header": "X-A", "Output": "b", "RightOperand": "1"})",
                R"("1")", "/RightOperand", "RightOperand is allowed only on a FINDSUB_LINES def"},
           Case{R"({"ReplaceType": "FINDSUB_LINES", "Header": "X-A", "Regex1": "a", "Output": "b", "Operator": "EXISTS"})",
                R"("EXISTS")", "/Operator", "Operator EXISTS is not allowed on a replace definition"},
           Case{R"({"ReplaceType": "FINDSUB_LINES", "Header": "X-A", "Regex1": "a", "Output": "b", "RightOperand": "a"})",
                R"("a"})", "/RightOperand", "RightOperand needs an Operator"},
           Case{R"({"ReplaceType": "FINDSUB_LINES", "Header": "X-A", "Regex1": "a", "Output": "b", "Operator": "NEQ"})",
                R"("NEQ")", "/Operator", "Operator NEQ needs a RightOperand"},
           Case{R"({"ReplaceType": "FINDSUB_LINES", "Header": "X-A", "Regex1": "a", "Output": "b", "Operator": "LE", "RightOperand": "x"})",
                R"("x")", "/RightOperand", R"(RightOperand "x" is not an integer (Operator LE compares integers))"},
           // Numeric.
           Case{R"({"ReplaceType": "FINDSUB_LINES", "Header": "x", "Regex1": "[0-9]+", "Numeric": 2})",
                "2}", "/Numeric", "Numeric must be an object, not 2"},
           Case{R"({"ReplaceType": "FINDSUB_LINES", "Header": "x", "Regex1": "[0-9]+", "Output": "1", "Numeric": {}})",
                "{}", "/Numeric", "Numeric is not allowed with Output"},
           Case{R"({"ReplaceType": "REPLACE_LINES", "Header": "x", "Output": "1", "Numeric": {}})",
                "{}", "/Numeric", "Numeric is allowed only on a FINDSUB_LINES def"},
           Case{R"({"ReplaceType": "FINDSUB_LINES", "Header": "x", "Regex1": "[0-9]+", "Numeric": {"Divide": 0}})",
                "0}", "/Numeric/Divide", "Divide must not be 0"},
           Case{R"({"ReplaceType": "FINDSUB_LINES", "Header": "x", "Regex1": "[0-9]+", "Numeric": {"Min": 100, "Max": 50}})",
                "50", "/Numeric/Max", "Max 50 is below Min 100"},
           Case{R"({"ReplaceType": "FINDSUB_LINES", "Header": "x", "Regex1": "[0-9]+", "Numeric": {"Multiply": "2"}})",
                R"("2")", "/Numeric/Multiply", "Multiply must be an integer, not a string"},
           Case{R"({"ReplaceType": "FINDSUB_LINES", "Header": "x", "Regex1": "[0-9]+", "Numeric": {"Add": 0.5}})",
                "0.5", "/Numeric/Add", "Add must be an integer, not 0.5"},
           Case{R"({"ReplaceType": "FINDSUB_LINES", "Header": "x", "Regex1": "[0-9]+", "Numeric": {"Max": 18446744073709551615}})",
                "1844", "/Numeric/Max", "Max 18446744073709551615 is out of range"},
       }) {
    const std::string text = WithDef(c.def);
    ExpectOneError({text, c.needle, (std::string(kP) + c.key).c_str(), c.message});
  }
}

TEST(ProfileCompilerTest, NumericUnknownKeyIsAWarning) {
  const std::string text = WithDef(
      R"({"ReplaceType": "FINDSUB_LINES", "Header": "x", "Regex1": "[0-9]+", "Numeric": {"Divide": 2, "Round": 1}})");
  EXPECT_EQ(Diagnose(text), std::vector<std::string>{Warning(
                                text, R"("Round")", "/Rules/0/ReplaceDefs/0/Numeric/Round",
                                R"(unknown key "Round")")});
}

// ---------------------------------------------------------------- protected headers

TEST(ProfileCompilerTest, WhatIdentifiesTransactionsAndDialogsIsRefused) {
  constexpr char kP[] = "/Rules/0/ReplaceDefs/0/Header";
  struct Case {
    const char* def;
    const char* needle;
    const char* message;
  };
  for (const Case& c : {
           Case{R"({"ReplaceType": "FINDSUB_LINES", "Header": "Via", "Regex1": "UDP", "Output": "TCP"})",
                R"("Via")", "editing Via is refused: it identifies transactions and dialogs"},
           Case{R"({"ReplaceType": "DELETE_LINES", "Header": "v"})", R"("v")",
                "editing Via is refused: it identifies transactions and dialogs"},
           Case{R"({"ReplaceType": "REPLACE_LINES", "Header": "i:", "Output": "x"})", R"("i:")",
                "editing Call-ID is refused: it identifies transactions and dialogs"},
           Case{R"({"ReplaceType": "ADD_LINE", "Header": "CSeq", "Output": "1 INVITE"})",
                R"("CSeq")", "editing CSeq is refused: it identifies transactions and dialogs"},
           Case{R"({"ReplaceType": "DELETE_LINES", "Header": "From"})", R"("From")",
                "deleting From is refused: it identifies dialogs"},
           Case{R"({"ReplaceType": "ADD_LINE", "Header": "t", "Output": "<sip:a@b>"})", R"("t")",
                "adding To is refused: it identifies dialogs"},
           Case{R"({"ReplaceType": "REPLACE_LINES", "Header": "From", "Regex1": "x", "Output": "<sip:a@b>"})",
                R"("From")", "replacing the whole value of From is refused: it carries the dialog tag"},
           Case{R"({"ReplaceType": "DELETE_LINES", "Header": "Content-Length"})",
                R"("Content-Length")", "editing Content-Length is refused: smc keeps it right itself"},
           Case{R"({"ReplaceType": "FINDSUB_LINES", "Header": "l", "Regex1": "[0-9]+", "Output": "0"})",
                R"("l")", "editing Content-Length is refused: smc keeps it right itself"},
       }) {
    const std::string text = WithDef(c.def);
    ExpectOneError({text, c.needle, kP, c.message});
  }
}

TEST(ProfileCompilerTest, FromToRegexMentioningTheTagIsRefused) {
  const std::string text = WithDef(
      R"({"ReplaceType": "FINDSUB_LINES", "Header": "To", "Regex1": ";tag=[^;]*", "Output": ""},
        {"ReplaceType": "FINDSUB_LINES", "Header": "f", "Regex1": ">.*", "RegEx2": ";TAG=.*", "Output": ""})");
  EXPECT_EQ(Diagnose(text),
            (std::vector<std::string>{
                Error(text, R"(";tag=[^;]*")", "/Rules/0/ReplaceDefs/0/Regex1",
                      R"(Regex1 ";tag=[^;]*" on To mentions the tag parameter: refused)"),
                Error(text, R"(";TAG=.*")", "/Rules/0/ReplaceDefs/1/RegEx2",
                      R"(RegEx2 ";TAG=.*" on From mentions the tag parameter: refused)")}));
}

TEST(ProfileCompilerTest, FromToUriRewritesAreAllowedAndGuardTheTag) {
  const CompileResult r = Compile(WithDef(
      R"({"ReplaceType": "FINDSUB_LINES", "Header": "From", "Regex1": "sip:1([0-9]{10})@", "Output": "sip:+1\\1@"},
        {"ReplaceType": "FINDSUB_LINES", "Header": "To", "Regex1": "^\"[^\"]*\"", "Output": "\"Anonymous\""},
        {"ReplaceType": "FINDSUB_LINES", "Header": "Allow", "Regex1": ",UPDATE", "Output": ""})"));
  EXPECT_EQ(Lines(r), std::vector<std::string>{});
  const auto& defs = Only(r).rules.at(0).defs;
  ASSERT_EQ(defs.size(), 3u);
  EXPECT_TRUE(defs[0].guard_tag);
  EXPECT_TRUE(defs[1].guard_tag);
  EXPECT_FALSE(defs[2].guard_tag);
}

// ---------------------------------------------------------------- files

TEST(ProfileCompilerTest, UnreadableFileIsOneError) {
  const std::string path = testing::TempDir() + "smc-no-such-profile.json";
  std::remove(path.c_str());
  const CompileResult r = CompileProfileFile(path);
  EXPECT_EQ(Lines(r), std::vector<std::string>{path + ":0:0: error: \"\": cannot read file: "
                                                       "No such file or directory"});
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.profiles.empty());
}

TEST(ProfileCompilerTest, FileDiagnosticsAndProfilesNameThePath) {
  const std::string path = testing::TempDir() + "smc-profile-compiler-test-18.json";
  {
    std::ofstream out(path, std::ios::binary);
    out << kVsxi18;
  }
  const CompileResult r = CompileProfileFile(path);
  std::remove(path.c_str());
  ASSERT_EQ(r.profiles.size(), 1u);
  EXPECT_EQ(r.profiles[0]->file(), path);
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].file, path);
  EXPECT_EQ(r.diagnostics[0].severity, Severity::kWarning);
}

}  // namespace
}  // namespace smc
