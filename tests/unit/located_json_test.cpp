#include "located_json.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace smc::internal {
namespace {

// "L:C", so that a failed expectation shows both numbers.
std::string Str(SourcePos p) { return std::to_string(p.line) + ":" + std::to_string(p.column); }

LocatedJson ParseOk(const std::string& text) {
  std::vector<Diagnostic> diags;
  std::optional<LocatedJson> doc = ParseLocatedJson(text, "f.json", &diags);
  EXPECT_TRUE(doc.has_value());
  EXPECT_TRUE(diags.empty());
  return doc ? std::move(*doc) : LocatedJson{};
}

Diagnostic ParseError(const std::string& text) {
  std::vector<Diagnostic> diags;
  EXPECT_FALSE(ParseLocatedJson(text, "f.json", &diags).has_value());
  EXPECT_EQ(diags.size(), 1u);
  return diags.empty() ? Diagnostic{} : diags.front();
}

TEST(LocatedJsonTest, BuildsTheSameValueAsNlohmann) {
  const std::string text =
      R"({"a": [1, -2, 3.5, "x\"y", true, false, null, {}], "b": {"c": 18446744073709551615}})";
  EXPECT_EQ(ParseOk(text).value, nlohmann::json::parse(text));
}

TEST(LocatedJsonTest, PositionsOfNestedValuesAndKeys) {
  const std::string text =
      "{\n"                                   // line 1
      "  \"ProfileID\": 17,\n"                // line 2
      "  \"Rules\": [\n"                      // line 3
      "    {\"MsgType\": \"RESPONSE\",\n"     // line 4
      "     \"Conditions\": [ { \"Operator\" :\t\"EQ\" } ] }\n"  // line 5
      "  ]\n"
      "}\n";
  const LocatedJson doc = ParseOk(text);
  EXPECT_EQ(Str(doc.ValuePos("")), "1:1");
  EXPECT_EQ(Str(doc.KeyPos("/ProfileID")), "2:3");
  EXPECT_EQ(Str(doc.ValuePos("/ProfileID")), "2:16");
  EXPECT_EQ(Str(doc.KeyPos("/Rules")), "3:3");
  EXPECT_EQ(Str(doc.ValuePos("/Rules")), "3:12");
  EXPECT_EQ(Str(doc.ValuePos("/Rules/0")), "4:5");
  EXPECT_EQ(Str(doc.KeyPos("/Rules/0/MsgType")), "4:6");
  EXPECT_EQ(Str(doc.ValuePos("/Rules/0/MsgType")), "4:17");
  EXPECT_EQ(Str(doc.KeyPos("/Rules/0/Conditions")), "5:6");
  EXPECT_EQ(Str(doc.ValuePos("/Rules/0/Conditions")), "5:20");
  EXPECT_EQ(Str(doc.ValuePos("/Rules/0/Conditions/0")), "5:22");
  EXPECT_EQ(Str(doc.KeyPos("/Rules/0/Conditions/0/Operator")), "5:24");
  EXPECT_EQ(Str(doc.ValuePos("/Rules/0/Conditions/0/Operator")), "5:37");
}

TEST(LocatedJsonTest, UnknownPointersHaveNoPosition) {
  const LocatedJson doc = ParseOk(R"({"a": [1]})");
  EXPECT_EQ(Str(doc.ValuePos("/b")), "0:0");
  EXPECT_EQ(Str(doc.ValuePos("/a/1")), "0:0");
  // An array element has a value but no key.
  EXPECT_EQ(Str(doc.ValuePos("/a/0")), "1:8");
  EXPECT_EQ(Str(doc.KeyPos("/a/0")), "0:0");
}

TEST(LocatedJsonTest, EscapesInStringsDoNotShiftLaterPositions) {
  const std::string text = R"({"k\"}": "v\\\",", "n": [12e3, "\u00e9"], "t": true})";
  const LocatedJson doc = ParseOk(text);
  EXPECT_EQ(Str(doc.KeyPos("/k\"}")), "1:2");
  EXPECT_EQ(Str(doc.ValuePos("/k\"}")), "1:10");
  EXPECT_EQ(Str(doc.KeyPos("/n")), "1:20");
  EXPECT_EQ(Str(doc.ValuePos("/n/0")), "1:26");
  EXPECT_EQ(Str(doc.ValuePos("/n/1")), "1:32");
  EXPECT_EQ(Str(doc.ValuePos("/t")), "1:48");
}

TEST(LocatedJsonTest, ColumnsCountBytesAndLinesEndAtLf) {
  // "é" is two bytes; CRLF line ends; a BOM is three bytes of line 1.
  const std::string text = "\xEF\xBB\xBF{\"\xC3\xA9\": 1,\r\n \"b\": 2}";
  const LocatedJson doc = ParseOk(text);
  EXPECT_EQ(Str(doc.ValuePos("")), "1:4");
  EXPECT_EQ(Str(doc.ValuePos("/\xC3\xA9")), "1:11");
  EXPECT_EQ(Str(doc.KeyPos("/b")), "2:2");
  EXPECT_EQ(Str(doc.ValuePos("/b")), "2:7");
}

TEST(LocatedJsonTest, PointersEscapeSlashAndTilde) {
  EXPECT_EQ(JsonPointerToken("a/b~c"), "a~1b~0c");
  EXPECT_EQ(JsonPointerToken("~1"), "~01");
  EXPECT_EQ(JsonPointerAppend("/x", "a/b"), "/x/a~1b");
  EXPECT_EQ(JsonPointerAppend("", size_t{3}), "/3");
  const LocatedJson doc = ParseOk(R"({"a/b": {"~": 1}})");
  EXPECT_EQ(Str(doc.ValuePos("/a~1b/~0")), "1:15");
  EXPECT_EQ(Str(doc.KeyPos("/a~1b")), "1:2");
}

TEST(LocatedJsonTest, RepeatedKeysKeepTheFirstValueAndAreRecorded) {
  const std::string text =
      "{\"a\": 1,\n"
      " \"b\": {\"x\": [1, 2]},\n"
      " \"a\": 2,\n"
      " \"b\": {\"x\": 3, \"x\": 4}}";
  const LocatedJson doc = ParseOk(text);
  EXPECT_EQ(doc.value, nlohmann::json::parse(R"({"a": 1, "b": {"x": [1, 2]}})"));
  ASSERT_EQ(doc.duplicate_keys.size(), 2u);
  EXPECT_EQ(doc.duplicate_keys[0].pointer, "/a");
  EXPECT_EQ(doc.duplicate_keys[0].key, "a");
  EXPECT_EQ(Str(doc.duplicate_keys[0].pos), "3:2");
  // The repeated "x" inside the dropped value is not reported: that value is dropped whole.
  EXPECT_EQ(doc.duplicate_keys[1].pointer, "/b");
  EXPECT_EQ(Str(doc.duplicate_keys[1].pos), "4:2");
  // Positions are those of the kept (first) members.
  EXPECT_EQ(Str(doc.KeyPos("/a")), "1:2");
  EXPECT_EQ(Str(doc.ValuePos("/a")), "1:7");
  EXPECT_EQ(Str(doc.ValuePos("/b/x/1")), "2:17");
}

TEST(LocatedJsonTest, KeysDifferingInCaseAreNotDuplicatesOfTheJson) {
  const LocatedJson doc = ParseOk(R"({"Regex1": "a", "RegEx1": "b"})");
  EXPECT_TRUE(doc.duplicate_keys.empty());
  EXPECT_EQ(doc.value.size(), 2u);
  EXPECT_EQ(Str(doc.KeyPos("/RegEx1")), "1:17");
}

TEST(LocatedJsonTest, SyntaxErrorIsWhereParsingStopped) {
  const Diagnostic d = ParseError("{\"a\": 1,\n  \"b\" 2}");
  EXPECT_EQ(d.severity, Severity::kError);
  EXPECT_EQ(d.file, "f.json");
  EXPECT_EQ(Str(d.pos), "2:7");
  EXPECT_EQ(d.pointer, "");
  EXPECT_EQ(d.message,
            "syntax error while parsing object separator - unexpected number literal; "
            "expected ':'");
}

TEST(LocatedJsonTest, SyntaxErrorMessagesLoseNlohmannsPrefix) {
  for (const std::string text : {"{\"a\": tru}", "[1,]", "{} x", "\"a\nb\"", "[1e999]"}) {
    SCOPED_TRACE(text);
    const Diagnostic d = ParseError(text);
    EXPECT_EQ(d.message.find("[json.exception"), std::string::npos) << d.message;
    EXPECT_EQ(d.message.find("at line"), std::string::npos) << d.message;
    EXPECT_FALSE(d.message.empty());
  }
}

TEST(LocatedJsonTest, SyntaxErrorPositions) {
  EXPECT_EQ(Str(ParseError("").pos), "1:1");
  EXPECT_EQ(Str(ParseError("{\"a\": [1, 2\n").pos), "2:1");  // end of input
  EXPECT_EQ(Str(ParseError("[1,\n 2,\n ]").pos), "3:2");
  EXPECT_EQ(Str(ParseError("{\"a\": 1}\n\n  x").pos), "3:3");  // trailing text
  EXPECT_EQ(ParseError("[1,]").message,
            "syntax error while parsing value - unexpected ']'; expected '[', '{', or a literal");
}

TEST(LocatedJsonTest, DiagnosticsMayBeDiscarded) {
  EXPECT_FALSE(ParseLocatedJson("{", "f.json", nullptr).has_value());
  EXPECT_TRUE(ParseLocatedJson("{}", "f.json", nullptr).has_value());
}

TEST(LocatedJsonTest, PositionOfOffset) {
  const std::string_view text = "ab\ncd\n";
  EXPECT_EQ(Str(PositionOfOffset(text, 0)), "1:1");
  EXPECT_EQ(Str(PositionOfOffset(text, 2)), "1:3");
  EXPECT_EQ(Str(PositionOfOffset(text, 3)), "2:1");
  EXPECT_EQ(Str(PositionOfOffset(text, 6)), "3:1");
  EXPECT_EQ(Str(PositionOfOffset(text, 99)), "3:1");
}

}  // namespace
}  // namespace smc::internal
