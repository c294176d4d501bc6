#include "tag_param.h"

#include <gtest/gtest.h>

#include <optional>
#include <string_view>

namespace smc::internal {
namespace {

TEST(TagParamTest, HeaderParameterOfNameAddr) {
  EXPECT_EQ(TagParam("\"Alice\" <sip:+15551230001@10.0.0.1>;tag=1928301774"), "1928301774");
  EXPECT_EQ(TagParam("<sip:a@h>;user=phone;tag=ab-12;x=y"), "ab-12");
  EXPECT_EQ(TagParam("<sip:a@h> ; TAG = abc "), "abc");
}

TEST(TagParamTest, AddrSpecWithoutAngleBrackets) {
  EXPECT_EQ(TagParam("sip:a@h;tag=9"), "9");
}

TEST(TagParamTest, TagInsideUriOrDisplayNameIsNotTheHeaders) {
  EXPECT_EQ(TagParam("<sip:a@h;tag=inside>"), std::nullopt);
  EXPECT_EQ(TagParam("<sip:a@h;tag=inside>;tag=out"), "out");
  EXPECT_EQ(TagParam("\"x;tag=1 \\\" ;tag=2\" <sip:a@h>"), std::nullopt);
  EXPECT_EQ(TagParam("\"x;tag=1\" <sip:a@h>;tag=3"), "3");
}

TEST(TagParamTest, AbsentOrEmpty) {
  EXPECT_EQ(TagParam("<sip:a@h>"), std::nullopt);
  EXPECT_EQ(TagParam("<sip:a@h>;tagx=1;xtag=2"), std::nullopt);
  EXPECT_EQ(TagParam("<sip:a@h>;tag"), std::string_view());
  EXPECT_EQ(TagParam(""), std::nullopt);
}

}  // namespace
}  // namespace smc::internal
