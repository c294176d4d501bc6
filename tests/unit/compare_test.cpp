#include <gtest/gtest.h>
#include <re2/re2.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "compiled_profile.h"

namespace smc::internal {
namespace {

Comparison Text(Op op, std::string text) {
  Comparison c;
  c.op = op;
  c.text = std::move(text);
  return c;
}

Comparison Number(Op op, int64_t n) {
  Comparison c;
  c.op = op;
  c.text = std::to_string(n);
  c.number = n;
  return c;
}

Comparison Regex(Op op, const std::string& pattern) {
  Comparison c;
  c.op = op;
  c.text = pattern;
  c.regex = std::make_unique<RE2>(pattern);
  return c;
}

TEST(CompareTest, EqIsExactAndCaseSensitive) {
  EXPECT_TRUE(Compare(Text(Op::kEq, "1800"), "1800"));
  EXPECT_FALSE(Compare(Text(Op::kEq, "1800"), "01800"));
  EXPECT_FALSE(Compare(Text(Op::kEq, "1800"), "1800 "));
  EXPECT_FALSE(Compare(Text(Op::kEq, "uac"), "UAC"));
  EXPECT_TRUE(Compare(Text(Op::kEq, ""), ""));
  EXPECT_FALSE(Compare(Text(Op::kEq, ""), "x"));
}

TEST(CompareTest, NeqEmptyMeansNonEmpty) {
  EXPECT_TRUE(Compare(Text(Op::kNeq, ""), "UPDATE"));
  EXPECT_FALSE(Compare(Text(Op::kNeq, ""), ""));
  EXPECT_TRUE(Compare(Text(Op::kNeq, "uac"), "UAC"));
  EXPECT_FALSE(Compare(Text(Op::kNeq, "uac"), "uac"));
}

TEST(CompareTest, OrderingComparesIntegers) {
  EXPECT_TRUE(Compare(Number(Op::kLt, 90), "89"));
  EXPECT_FALSE(Compare(Number(Op::kLt, 90), "90"));
  EXPECT_TRUE(Compare(Number(Op::kLe, 90), "90"));
  EXPECT_FALSE(Compare(Number(Op::kLe, 90), "91"));
  EXPECT_TRUE(Compare(Number(Op::kGt, 90), "1800"));
  EXPECT_FALSE(Compare(Number(Op::kGt, 90), "90"));
  EXPECT_TRUE(Compare(Number(Op::kGe, 90), "90"));
  EXPECT_FALSE(Compare(Number(Op::kGe, 90), "9"));
  // Numerically, not as text: "100" sorts before "90" as text.
  EXPECT_TRUE(Compare(Number(Op::kGt, 90), "100"));
}

TEST(CompareTest, IntegersMayHaveASign) {
  EXPECT_TRUE(Compare(Number(Op::kLt, 0), "-5"));
  EXPECT_TRUE(Compare(Number(Op::kGe, 5), "+5"));
  EXPECT_TRUE(Compare(Number(Op::kLe, 0), "-0"));
  EXPECT_TRUE(Compare(Number(Op::kGe, 7), "007"));
}

TEST(CompareTest, NonIntegersSatisfyNoOrdering) {
  for (const char* value : {"", "abc", " 5", "5 ", "1.5", "0x10", "5s", "+", "-", "+-5",
                            "--5", "1e3", "1800;refresher=uac"}) {
    SCOPED_TRACE(value);
    for (const Op op : {Op::kLt, Op::kLe, Op::kGt, Op::kGe}) {
      EXPECT_FALSE(Compare(Number(op, 0), value));
      EXPECT_FALSE(Compare(Number(op, 1800), value));
    }
  }
}

TEST(CompareTest, OutOfRangeIsNotAnInteger) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  const int64_t min = std::numeric_limits<int64_t>::min();
  EXPECT_TRUE(Compare(Number(Op::kGe, max), "9223372036854775807"));
  EXPECT_TRUE(Compare(Number(Op::kLe, min), "-9223372036854775808"));
  // One past either end would compare "right" if it were clamped; it is not an integer.
  EXPECT_FALSE(Compare(Number(Op::kGe, max), "9223372036854775808"));
  EXPECT_FALSE(Compare(Number(Op::kLe, min), "-9223372036854775809"));
  EXPECT_FALSE(Compare(Number(Op::kGt, 0), "99999999999999999999999"));
}

TEST(CompareTest, OrderingWithoutANumberNeverHolds) {
  const Comparison c = Text(Op::kLt, "abc");  // no number: the compiler refuses such a profile
  EXPECT_FALSE(Compare(c, "5"));
  EXPECT_FALSE(Compare(c, "-5"));
}

TEST(CompareTest, MatchesLooksForAMatchAnywhere) {
  EXPECT_TRUE(Compare(Regex(Op::kMatches, "UPDATE"), "INVITE, UPDATE, ACK"));
  EXPECT_FALSE(Compare(Regex(Op::kMatches, "UPDATE"), "INVITE, ACK"));
  EXPECT_FALSE(Compare(Regex(Op::kMatches, "^UPDATE$"), "INVITE, UPDATE"));
  EXPECT_TRUE(Compare(Regex(Op::kMatches, "(?i)update"), "UPDATE"));
  EXPECT_FALSE(Compare(Regex(Op::kMatches, "update"), "UPDATE"));
  EXPECT_TRUE(Compare(Regex(Op::kMatches, "^$"), ""));
}

TEST(CompareTest, NotMatchesIsTheOpposite) {
  EXPECT_FALSE(Compare(Regex(Op::kNotMatches, "tag="), "<sip:a@b>;tag=1"));
  EXPECT_TRUE(Compare(Regex(Op::kNotMatches, "tag="), "<sip:a@b>"));
  EXPECT_TRUE(Compare(Regex(Op::kNotMatches, "x"), ""));
}

TEST(CompareTest, RegexOperatorWithoutRegexNeverHolds) {
  EXPECT_FALSE(Compare(Text(Op::kMatches, "a"), "a"));
  EXPECT_FALSE(Compare(Text(Op::kNotMatches, "a"), "b"));
}

TEST(CompareTest, ExistenceOperatorsOnAValue) {
  // Given a value, a line exists: the rewriter decides EXISTS/NOT_EXISTS on presence.
  EXPECT_TRUE(Compare(Text(Op::kExists, ""), ""));
  EXPECT_TRUE(Compare(Text(Op::kExists, ""), "x"));
  EXPECT_FALSE(Compare(Text(Op::kNotExists, ""), ""));
  EXPECT_FALSE(Compare(Text(Op::kNotExists, ""), "x"));
}

}  // namespace
}  // namespace smc::internal
