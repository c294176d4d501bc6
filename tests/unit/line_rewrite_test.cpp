#include "line_rewrite.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace smc::internal {
namespace {

TEST(LineRewriteParseIntegerTest, SignedDecimalOnly) {
  EXPECT_EQ(ParseInteger("1800"), 1800);
  EXPECT_EQ(ParseInteger("+90"), 90);
  EXPECT_EQ(ParseInteger("-7"), -7);
  EXPECT_EQ(ParseInteger("9223372036854775807"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(ParseInteger("-9223372036854775808"), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(ParseInteger("9223372036854775808"), std::nullopt);
  EXPECT_EQ(ParseInteger(""), std::nullopt);
  EXPECT_EQ(ParseInteger("-"), std::nullopt);
  EXPECT_EQ(ParseInteger("18 00"), std::nullopt);
  EXPECT_EQ(ParseInteger("0x10"), std::nullopt);
}

TEST(LineRewriteApplyNumericTest, OrderOfOperationsAndClamping) {
  NumericOp halve;
  halve.divide = 2;
  halve.min = 90;
  EXPECT_EQ(ApplyNumeric(halve, 1800), 900);
  EXPECT_EQ(ApplyNumeric(halve, 1801), 900);  // truncation
  EXPECT_EQ(ApplyNumeric(halve, 100), 90);
  NumericOp affine;
  affine.multiply = 3;
  affine.divide = 2;
  affine.add = -1;
  affine.max = 1000;
  EXPECT_EQ(ApplyNumeric(affine, 5), 6);    // 15 / 2 = 7, - 1
  EXPECT_EQ(ApplyNumeric(affine, -5), -8);  // -15 / 2 = -7 (toward zero), - 1
  EXPECT_EQ(ApplyNumeric(affine, 1000), 1000);
}

TEST(LineRewriteApplyNumericTest, SaturatesInsteadOfOverflowing) {
  NumericOp big;
  big.multiply = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(ApplyNumeric(big, 3), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(ApplyNumeric(big, -3), std::numeric_limits<int64_t>::min());
}

TEST(LineRewriteAppendRewriteTest, ReferencesAndBackslash) {
  const re2::StringPiece vec[] = {"whole", "one", "two"};
  std::string out = "x";
  AppendRewrite("[\\0|\\2|\\1|\\\\|\\9]", vec, 3, &out);
  EXPECT_EQ(out, "x[whole|two|one|\\|]");
}

}  // namespace
}  // namespace smc::internal
