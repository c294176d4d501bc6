#include "regex_finder.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <string>
#include <vector>

namespace smc::internal {
namespace {

// Whatever path a finder takes, it finds what RE2 finds, at every start position.
TEST(RegexFinderTest, SameMatchesAsRe2) {
  const std::vector<std::string> patterns = {"UPDATE", ",UPDATE", "", "a\\.b", "\\+1", "a b",
                                             "a.b", "(UPDATE)", "[0-9]+;", "(?i)update", "x*"};
  const std::vector<std::string> texts = {"INVITE,ACK,UPDATE", "UPDATE,UPDATE", "", "a.b axb",
                                          "sip:+1555", "a b", "update", "1800;refresher=uac"};
  for (const std::string& pattern : patterns) {
    RE2::Options options;
    options.set_log_errors(false);
    const RE2 re(pattern, options);
    ASSERT_TRUE(re.ok()) << pattern;
    const RegexFinder finder(&re);
    for (const std::string& text : texts) {
      for (size_t pos = 0; pos <= text.size(); ++pos) {
        re2::StringPiece want[2];
        re2::StringPiece got[2];
        const bool want_match =
            re.Match(text, pos, text.size(), RE2::UNANCHORED, want, 2);
        const bool got_match = finder.Match(text, pos, got, 2);
        ASSERT_EQ(got_match, want_match) << pattern << " in \"" << text << "\" from " << pos;
        if (!want_match) continue;
        EXPECT_EQ(got[0].data() - text.data(), want[0].data() - text.data()) << pattern;
        EXPECT_EQ(got[0].size(), want[0].size()) << pattern;
        EXPECT_EQ(got[1].data() == nullptr, want[1].data() == nullptr) << pattern;
      }
    }
  }
}

TEST(RegexFinderTest, OnlyPlainTextTakesTheLiteralPath) {
  RE2::Options options;
  options.set_log_errors(false);
  for (const char* literal : {"UPDATE", ",UPDATE", "a\\.b", "\\+1", ""}) {
    const RE2 re(literal, options);
    EXPECT_TRUE(RegexFinder(&re).is_literal()) << literal;
  }
  for (const char* regex : {"a.b", "(UPDATE)", "[0-9]", "^x", "x$", "a|b", "\\d", "(?i)x",
                            "caf\xc3\xa9"}) {
    const RE2 re(regex, options);
    EXPECT_FALSE(RegexFinder(&re).is_literal()) << regex;
  }
  RE2::Options insensitive = options;
  insensitive.set_case_sensitive(false);
  const RE2 re("UPDATE", insensitive);
  EXPECT_FALSE(RegexFinder(&re).is_literal());
}

}  // namespace
}  // namespace smc::internal
