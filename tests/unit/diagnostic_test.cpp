#include "smc/diagnostic.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace smc {
namespace {

Diagnostic Make(Severity severity, std::string pointer, std::string message) {
  Diagnostic d;
  d.severity = severity;
  d.file = "profiles/vsxi/remove-update.json";
  d.pos = {12, 7};
  d.pointer = std::move(pointer);
  d.message = std::move(message);
  return d;
}

TEST(FormatDiagnosticTest, OneLineWithEveryField) {
  EXPECT_EQ(FormatDiagnostic(Make(Severity::kError, "/Rules/0/Conditions/0/Operator",
                                  "unknown Operator 'EQUALS'")),
            "profiles/vsxi/remove-update.json:12:7: error: /Rules/0/Conditions/0/Operator: "
            "unknown Operator 'EQUALS'");
  EXPECT_EQ(FormatDiagnostic(Make(Severity::kWarning, "/ProfileName", "missing ProfileName")),
            "profiles/vsxi/remove-update.json:12:7: warning: /ProfileName: missing ProfileName");
}

TEST(FormatDiagnosticTest, EmptyPointerAndUnknownPosition) {
  Diagnostic d = Make(Severity::kError, "", "JSON does not parse: unexpected end of input");
  d.file = "-";
  d.pos = {};
  EXPECT_EQ(FormatDiagnostic(d),
            "-:0:0: error: \"\": JSON does not parse: unexpected end of input");
}

TEST(FormatDiagnosticTest, LineBreaksInFieldsCannotSplitTheLine) {
  Diagnostic d = Make(Severity::kError, "/Rules/0/Conditions/0/Bad\nKey",
                      "regex 'a\r\nb' does not compile:\tmissing )\x01");
  const std::string line = FormatDiagnostic(d);
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  EXPECT_EQ(line.find('\r'), std::string::npos) << line;
  EXPECT_EQ(line,
            "profiles/vsxi/remove-update.json:12:7: error: /Rules/0/Conditions/0/Bad\\nKey: "
            "regex 'a\\r\\nb' does not compile:\tmissing )\\x01");
}

TEST(DiagnosticToJsonTest, ParsesBackToTheSameFields) {
  const Diagnostic d = Make(Severity::kWarning, "/0/Rules/1/RegEx2",
                            "regex \"(a|\\\\d\" does not compile: missing ): \\d\n\t\x01\x1f");
  const nlohmann::json j = nlohmann::json::parse(DiagnosticToJson(d));
  EXPECT_EQ(j.at("file"), d.file);
  EXPECT_EQ(j.at("line"), 12);
  EXPECT_EQ(j.at("column"), 7);
  EXPECT_EQ(j.at("severity"), "warning");
  EXPECT_EQ(j.at("pointer"), d.pointer);
  EXPECT_EQ(j.at("message"), d.message);
}

TEST(DiagnosticToJsonTest, ExactEscapes) {
  Diagnostic d;
  d.file = "a\"b\\c";
  d.pointer = "/a~1b";
  d.message = std::string("\b\f\n\r\t\x7f\0", 7);
  EXPECT_EQ(DiagnosticToJson(d),
            "{\"file\":\"a\\\"b\\\\c\",\"line\":0,\"column\":0,\"severity\":\"error\","
            "\"pointer\":\"/a~1b\",\"message\":\"\\b\\f\\n\\r\\t\x7f\\u0000\"}");
}

TEST(DiagnosticToJsonTest, Utf8KeptInvalidBytesReplaced) {
  Diagnostic d;
  d.message = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x9e";  // é € and a 4-byte emoji
  nlohmann::json j = nlohmann::json::parse(DiagnosticToJson(d));
  EXPECT_EQ(j.at("message"), d.message);

  // A lone continuation byte, a truncated sequence, an overlong '/', a surrogate, a byte
  // that never occurs in UTF-8: each is one U+FFFD, and the JSON stays valid.
  d.message =
      "a\x80"
      "b\xe2\x82"
      "c\xc0\xaf"
      "d\xed\xa0\x80"
      "e\xff";
  const std::string json = DiagnosticToJson(d);
  j = nlohmann::json::parse(json);  // throws on invalid UTF-8
  const std::string message = j.at("message");
  EXPECT_EQ(message.find(std::string(1, '\x80')), std::string::npos);
  EXPECT_EQ(message.substr(0, 4), "a\xef\xbf\xbd");
  EXPECT_EQ(message.back(), '\xbd');
  EXPECT_NE(message.find("b\xef\xbf\xbd"), std::string::npos);
}

TEST(HasErrorsTest, OnlyErrorsCount) {
  EXPECT_FALSE(HasErrors({}));
  EXPECT_FALSE(HasErrors({Make(Severity::kWarning, "/ProfileName", "missing ProfileName")}));
  EXPECT_TRUE(HasErrors({Make(Severity::kWarning, "/ProfileName", "missing ProfileName"),
                         Make(Severity::kError, "/Rules", "missing Rules")}));
}

TEST(PromoteWarningsTest, WarningsBecomeErrorsEverythingElseKept) {
  const std::vector<Diagnostic> in = {
      Make(Severity::kWarning, "/Rules/0/Foo", "unknown key 'Foo'"),
      Make(Severity::kError, "/Rules/1/Action", "unknown Action 'DROP'"),
  };
  ASSERT_FALSE(HasErrors({in[0]}));
  const std::vector<Diagnostic> out = PromoteWarnings(in);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::kError);
  EXPECT_EQ(out[1].severity, Severity::kError);
  EXPECT_EQ(out[0].message, "unknown key 'Foo'");
  EXPECT_EQ(out[0].pointer, "/Rules/0/Foo");
  EXPECT_EQ(out[1].message, "unknown Action 'DROP'");
  EXPECT_TRUE(HasErrors({out[0]}));
  // The input is a copy: the caller's list is unchanged.
  EXPECT_EQ(in[0].severity, Severity::kWarning);
}

}  // namespace
}  // namespace smc
