// RegexFinder's paths that do not call RE2 (the simple-pattern scan, the required-literal
// prefilter) must find exactly what RE2 finds: checked on thousands of generated patterns and
// texts, at every start position, and through ComparisonPlan for MATCHES.
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "compiled_profile.h"
#include "regex_finder.h"
#include "rule_plan.h"

namespace smc::internal {
namespace {

std::unique_ptr<RE2> Compile(const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  return std::make_unique<RE2>(pattern, options);
}

template <typename T>
const T& Pick(std::mt19937& rng, const std::vector<T>& v) {
  return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
}

int Uniform(std::mt19937& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

// Bytes that patterns and texts are made of: few enough that they meet often.
const std::vector<std::string> kLiteralPieces = {"0", "1", "9", ";", "a", "b", "z", "=", " ",
                                                 "\\.", "-", "@", "\\+", "X", "_"};
const std::vector<std::string> kClasses = {
    "[0-9]", "[^;]", "[a-z]", "[^ ]", "[0-9a-f]", "[-a]", "[a-]", "[;=]", "[\\d;]", "[\\s]",
    "[^0-9]", "[ab]", "[\\.]", "[^\\.]", ".", "\\d", "\\s", "\\w", "\\D", "\\S", "\\W", "a",
    ";", "0", "[^a-z0-9]", "[+]", "[\\w-]", "[A-Z_]", "[^\\s;]"};
const std::vector<std::string> kQuantifiers = {"",     "*",     "+",    "?",    "{2}",
                                               "{0}",  "{1,3}", "{2,}", "{0,1}", "+",
                                               "*",    "+?",    "{,2}"};

std::string LiteralRun(std::mt19937& rng, int max) {
  std::string s;
  for (int i = Uniform(rng, 0, max); i > 0; --i) s += Pick(rng, kLiteralPieces);
  return s;
}

// ^? literal (class quantifier)? literal $? and, now and then, a second class: the shapes
// the fast path takes, the ones next to them it must refuse, and lazy or odd quantifiers.
std::string GeneratePattern(std::mt19937& rng) {
  std::string p;
  if (Uniform(rng, 0, 3) == 0) p += "^";
  p += LiteralRun(rng, 3);
  if (Uniform(rng, 0, 5) != 0) p += Pick(rng, kClasses) + Pick(rng, kQuantifiers);
  p += LiteralRun(rng, 3);
  if (Uniform(rng, 0, 9) == 0) p += Pick(rng, kClasses) + Pick(rng, kQuantifiers);
  if (Uniform(rng, 0, 3) == 0) p += "$";
  return p;
}

const std::vector<std::string> kTextPieces = {
    "0", "1", "9", "18", "00", ";", "a", "b", "z", "=", " ", ".", "-", "@", "+", "X", "_",
    "\t", "\n", "\r", "\x0b", "\xc3\xa9" /* é */, "\xff" /* not UTF-8 */, "secret=", "1800;"};

std::string GenerateText(std::mt19937& rng) {
  std::string s;
  for (int i = Uniform(rng, 0, 8); i > 0; --i) s += Pick(rng, kTextPieces);
  return s;
}

// The finder against RE2::Match at every start position, with 0, 1 and 2 entries asked for.
void ExpectSameAsRe2(const RE2& re, const RegexFinder& finder, const std::string& text) {
  for (size_t pos = 0; pos <= text.size() + 1; ++pos) {
    for (int nsub = 0; nsub <= 2; ++nsub) {
      re2::StringPiece want[2];
      re2::StringPiece got[2];
      const bool want_match = re.Match(text, pos, text.size(), RE2::UNANCHORED, want, nsub);
      const bool got_match = finder.Match(text, pos, got, nsub);
      ASSERT_EQ(got_match, want_match)
          << "/" << re.pattern() << "/ in \"" << text << "\" from " << pos;
      if (!want_match) continue;
      for (int i = 0; i < nsub; ++i) {
        ASSERT_EQ(got[i].data() == nullptr, want[i].data() == nullptr) << re.pattern();
        if (want[i].data() == nullptr) continue;
        ASSERT_EQ(got[i].data() - text.data(), want[i].data() - text.data())
            << "/" << re.pattern() << "/ in \"" << text << "\" from " << pos;
        ASSERT_EQ(got[i].size(), want[i].size())
            << "/" << re.pattern() << "/ in \"" << text << "\" from " << pos;
      }
    }
  }
  ASSERT_EQ(finder.Contains(text), RE2::PartialMatch(text, re))
      << "/" << re.pattern() << "/ in \"" << text << "\"";
}

TEST(RegexFinderFastPathTest, GeneratedPatternsFindWhatRe2Finds) {
  std::mt19937 rng(20261121);
  int compiled = 0;
  int simple = 0;
  int with_class = 0;
  int prefiltered = 0;
  for (int n = 0; n < 3000; ++n) {
    const std::string pattern = GeneratePattern(rng);
    const std::unique_ptr<RE2> re = Compile(pattern);
    if (!re->ok()) continue;  // e.g. "{,2}" after nothing
    ++compiled;
    const RegexFinder finder(re.get());
    if (finder.is_simple()) {
      ++simple;
      if (!finder.is_literal()) ++with_class;
    } else if (!finder.required_literal().empty()) {
      ++prefiltered;
    }
    for (int t = 0; t < 40; ++t) {
      ExpectSameAsRe2(*re, finder, GenerateText(rng));
      if (HasFatalFailure()) return;
    }
  }
  // The generator must exercise every path, or the comparison above proves little.
  EXPECT_GT(compiled, 2500);
  EXPECT_GT(simple, compiled / 3);
  EXPECT_GT(with_class, compiled / 4);
  EXPECT_GT(compiled - simple, compiled / 10);
  EXPECT_GT(prefiltered, 50);
}

// Header values are often longer than the short texts above (an Allow list, a Via): the
// searches that look at 16 bytes at a time must agree with RE2 there too, up to the last
// byte.
TEST(RegexFinderFastPathTest, LongTextsFindWhatRe2Finds) {
  std::mt19937 rng(1800);
  const std::vector<std::string> patterns = {
      ",UPDATE", "UPDATE", "INVITE,ACK", "refresher=", "a", ";r", "vendor-49\\b",
      "secret=[^;]*", "[0-9]+;", "^[0-9]+", "@trunk\\.example\\.net$", "timer$", "x=[0-9]{2}",
      "(uac|uas)"};
  const std::vector<std::string> pieces = {"INVITE", ",", "ACK", "UPDATE", ",UPDAT", "E",
                                           "1800", ";", "refresher=uac", "vendor-49",
                                           "vendor-490", "secret=", "x=12", "@trunk.example.net",
                                           "timer", " ", "a", "\xc3\xa9"};
  int long_texts = 0;
  for (const std::string& pattern : patterns) {
    const std::unique_ptr<RE2> re = Compile(pattern);
    ASSERT_TRUE(re->ok()) << pattern;
    const RegexFinder finder(re.get());
    for (int t = 0; t < 300; ++t) {
      std::string text;
      for (int i = Uniform(rng, 0, 30); i > 0; --i) text += Pick(rng, pieces);
      long_texts += text.size() >= 48 ? 1 : 0;
      ExpectSameAsRe2(*re, finder, text);
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_GT(long_texts, 2000);
}

TEST(RegexFinderFastPathTest, ProfilePatternsTakeTheFastPath) {
  // The shapes of the VSXi and library profiles (Session-Expires, Min-SE, SDP, numbers).
  for (const char* pattern :
       {"[0-9]+;", "[0-9]+", "^[0-9]+", "secret=[^;]*", "^a=sendonly$",
        "@trunk\\.example\\.net$", "[0-9]{6}", "[^ ]+", "[a-z]+", "a[a-z]+", "^CarrierSBC/",
        "^1800", "UPDATE", ",UPDATE", "\\d+$", "x*", ""}) {
    const std::unique_ptr<RE2> re = Compile(pattern);
    ASSERT_TRUE(re->ok()) << pattern;
    EXPECT_TRUE(RegexFinder(re.get()).is_simple()) << pattern;
  }
  // Two places a match could end, groups, alternation, flags, lazy quantifiers: RE2's.
  for (const char* pattern :
       {"[0-9]+0", "[a-z]+a", "[0-9]+[0-9]", "(x)", "a|b", "(?i)update", "[0-9]+?;", "\\bx",
        "[[:digit:]]+", "[]a]+", "\\x41+", "caf\xc3\xa9", "[0-9]+;[0-9]+"}) {
    const std::unique_ptr<RE2> re = Compile(pattern);
    ASSERT_TRUE(re->ok()) << pattern;
    EXPECT_FALSE(RegexFinder(re.get()).is_simple()) << pattern;
  }
}

TEST(RegexFinderFastPathTest, RequiredLiteralOnlyWhereEveryMatchHasIt) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"vendor-49\\b", "vendor-49"},
      {"refresher=(uac|uas)", "refresher="},
      {"^sip:1?([0-9]{10})@", "sip:"},
      {"v([0-9]+)", "v"},
      {"(?:ab)+cde\\b", "cde"},
      {"ab+c\\d", "ab"},
      {"abx?xyz\\b", "xyz"},
      {"a\\.b\\b", "a.b"},
      // Nothing every match must contain, or syntax the reading does not follow.
      {"a|bc\\b", ""},
      {"(?i)vendor\\b", ""},
      {"x{2}y{3}\\b", ""},
      {"\\x41\\b", ""},
      {"[abc]+\\b", ""},
  };
  for (const auto& [pattern, literal] : cases) {
    const std::unique_ptr<RE2> re = Compile(pattern);
    ASSERT_TRUE(re->ok()) << pattern;
    const RegexFinder finder(re.get());
    ASSERT_FALSE(finder.is_simple()) << pattern;
    EXPECT_EQ(finder.required_literal(), literal) << pattern;
  }
}

// Patterns RE2 alone can match, with a literal the prefilter looks for: the prefilter must
// never turn down a text that RE2 matches.
TEST(RegexFinderFastPathTest, PrefilteredPatternsFindWhatRe2Finds) {
  const std::vector<std::string> fragments = {
      "a",     "b",      ";",       "=",      "\\b",    "(a|b)",  "([0-9]+)", "(?:ab)+",
      "[0-9]", "x?",     "\\d{2}",  "(;)?",   "a+",     "\\.",    "[^;]*",    "(b|)",
      "1",     "0+",     "\\s*",    "[a-z]+", "(?P<n>a)", "[]a]", "\\B",      "z*?"};
  std::mt19937 rng(4028);
  int prefiltered = 0;
  for (int n = 0; n < 1500; ++n) {
    std::string pattern;
    for (int k = Uniform(rng, 1, 5); k > 0; --k) pattern += Pick(rng, fragments);
    const std::unique_ptr<RE2> re = Compile(pattern);
    if (!re->ok()) continue;
    const RegexFinder finder(re.get());
    if (!finder.is_simple() && !finder.required_literal().empty()) ++prefiltered;
    for (int t = 0; t < 30; ++t) {
      ExpectSameAsRe2(*re, finder, GenerateText(rng));
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_GT(prefiltered, 300);
}

TEST(ComparisonPlanTest, SameResultAsCompare) {
  const std::vector<std::string> values = {"", "1800", "vendor-49", "vendor-490", "Vendor-49",
                                           "a vendor-49;x", "90", "-7", "abc", "\xc3\xa9"};
  std::vector<Comparison> comparisons;
  for (const char* pattern : {"vendor-49\\b", "^[0-9]+$", "[^;]+", "(?i)vendor", "^$", "49"}) {
    for (const Op op : {Op::kMatches, Op::kNotMatches}) {
      Comparison c;
      c.op = op;
      c.text = pattern;
      c.regex = Compile(pattern);
      comparisons.push_back(std::move(c));
    }
  }
  for (const Op op : {Op::kEq, Op::kNeq, Op::kLt, Op::kGe, Op::kExists, Op::kNotExists}) {
    Comparison c;
    c.op = op;
    c.text = "90";
    c.number = 90;
    comparisons.push_back(std::move(c));
  }
  Comparison no_regex;  // what the compiler never builds: must not hold either way
  no_regex.op = Op::kNotMatches;
  comparisons.push_back(std::move(no_regex));
  for (const Comparison& c : comparisons) {
    const ComparisonPlan plan(c);
    for (const std::string& v : values) {
      EXPECT_EQ(Compare(plan, v), Compare(c, v)) << c.text << " on \"" << v << "\"";
    }
    EXPECT_EQ(Compare(plan, std::string_view()), Compare(c, std::string_view())) << c.text;
  }
}

}  // namespace
}  // namespace smc::internal
