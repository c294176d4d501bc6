// The gate of the chain index (chain_index.h): a rule whose indexing condition is a MATCHES
// is not a candidate when no line of its header holds the text every match needs (once at
// least two rules need a text of that header). The gate
// must never turn down a rule that would apply: patterns without such a text (alternation,
// case-insensitive, a class only) are not gated, and a rule that edits the header makes the
// gated rules after it candidates again.
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "regex_finder.h"
#include "smc/profile.h"
#include "smc/sip_message.h"

namespace smc {
namespace {

std::string RequiredText(const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  const RE2 re(pattern, options);
  EXPECT_TRUE(re.ok()) << pattern;
  return std::string(internal::RegexFinder(&re).RequiredText());
}

TEST(RegexFinderRequiredTextTest, OnlyTextEveryMatchContains) {
  EXPECT_EQ(RequiredText("vendor-49"), "vendor-49");        // plain text
  EXPECT_EQ(RequiredText("^CarrierSBC/"), "CarrierSBC/");   // simple, anchored
  EXPECT_EQ(RequiredText("secret=[^;]*"), "secret=");       // simple: the prefix
  EXPECT_EQ(RequiredText("[0-9]+;refresher"), ";refresher");  // simple: the longer suffix
  EXPECT_EQ(RequiredText("vendor-49\\b"), "vendor-49");     // RE2, with a required literal
  // Nothing every match must contain, or flags that change what the text matches.
  EXPECT_EQ(RequiredText("(?i)vendor-49"), "");
  EXPECT_EQ(RequiredText("vendor|supplier"), "");
  EXPECT_EQ(RequiredText("^[0-9]+$"), "");
  EXPECT_EQ(RequiredText("(vendor)?x\\b"), "x");
  EXPECT_EQ(RequiredText(""), "");
}

std::vector<ProfilePtr> Compile(const std::string& rules_json) {
  CompileResult r = CompileProfiles(
      "{\"ProfileID\": \"g\", \"ProfileName\": \"gate\", \"Rules\": [" + rules_json + "]}",
      "gate.json");
  for (const Diagnostic& d : r.diagnostics) {
    if (d.severity == Severity::kError) ADD_FAILURE() << FormatDiagnostic(d);
  }
  return r.profiles;
}

// A rule that adds "X-Hit: <tag>" when its one condition holds.
std::string MatchRule(const std::string& header, const std::string& pattern,
                      const std::string& tag, const std::string& regex1 = "") {
  std::string j = "{\"MsgType\": \"ALL\", \"Conditions\": [{\"Header\": \"" + header +
                  "\", \"Operator\": \"MATCHES\", \"RightOperand\": \"" + pattern + "\"";
  if (!regex1.empty()) j += ", \"Regex1\": \"" + regex1 + "\"";
  return j + "}], \"Action\": \"REPLACE_MSG\", \"ReplaceDefs\": [{\"ReplaceType\": " +
         "\"ADD_LINE\", \"Header\": \"X-Hit\", \"Output\": \"" + tag + "\"}]}";
}

std::string Message(const std::string& extra_lines) {
  return "SIP/2.0 200 OK\r\n"
         "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK77\r\n"
         "From: <sip:a@10.0.0.1>;tag=1\r\nTo: <sip:b@10.0.0.2>;tag=2\r\n"
         "Call-ID: gate@10.0.0.1\r\nCSeq: 1 INVITE\r\n" +
         extra_lines + "Content-Length: 0\r\n\r\n";
}

// The X-Hit values the chain adds to the message, in order.
std::vector<std::string> Hits(const std::string& rules_json, const std::string& extra_lines,
                              bool trace = false) {
  const ProfileChain chain(Compile(rules_json));
  std::optional<SipMessage> m = SipMessage::Parse(Message(extra_lines));
  EXPECT_TRUE(m.has_value());
  if (!m) return {};
  ApplyOptions options;
  options.trace = trace;
  const ApplyResult result = chain.Apply(*m, options);
  std::vector<std::string> hits;
  for (size_t i = m->FindHeader("X-Hit"); i != SipMessage::npos;
       i = m->FindHeader("X-Hit", i + 1)) {
    hits.emplace_back(m->header_value(i));
  }
  EXPECT_EQ(result.rules_applied, hits.size());
  return hits;
}

using Strings = std::vector<std::string>;

TEST(ChainIndexGateTest, TurnsDownOnlyRulesWhoseTextNoLineHolds) {
  const std::string rules = MatchRule("Server", "vendor-49\\\\b", "49") + "," +
                            MatchRule("Server", "vendor-50\\\\b", "50") + "," +
                            MatchRule("Server", "^Carrier", "carrier") + "," +
                            MatchRule("Server", "4\\\\.2", "version");
  EXPECT_EQ(Hits(rules, "Server: CarrierSBC vendor-49 4.2\r\n"),
            (Strings{"49", "carrier", "version"}));
  EXPECT_EQ(Hits(rules, "Server: CarrierSBC vendor-49 4.2\r\n", /*trace=*/true),
            (Strings{"49", "carrier", "version"}));
  EXPECT_EQ(Hits(rules, "Server: other\r\n"), Strings{});
  // "vendor-490" holds "vendor-49" but the word boundary fails: RE2 decides.
  EXPECT_EQ(Hits(rules, "Server: vendor-490\r\n"), Strings{});
}

TEST(ChainIndexGateTest, PatternsWithoutRequiredTextAreNotTurnedDown) {
  const std::string rules = MatchRule("Server", "(?i)VENDOR-49", "folded") + "," +
                            MatchRule("Server", "supplier|vendor", "alternation") + "," +
                            MatchRule("Server", "[0-9]+", "class") + "," +
                            MatchRule("Server", "(?i)\\\\bvendor\\\\b", "folded-word");
  EXPECT_EQ(Hits(rules, "Server: Vendor-49\r\n"),
            (Strings{"folded", "class", "folded-word"}));
  EXPECT_EQ(Hits(rules, "Server: a vendor\r\n"), (Strings{"alternation", "folded-word"}));
}

TEST(ChainIndexGateTest, AnyLineOfTheHeaderCanHoldTheText) {
  // Known header with several lines, and a header without a HeaderId in other cases.
  // A header is gated once two rules need a text of it: the *-none rules make it so.
  const std::string rules = MatchRule("Via", "branch=z9hG4bKsecond", "via") + "," +
                            MatchRule("Via", "via-none", "via-none") + "," +
                            MatchRule("X-Vendor", "vendor-none", "named-none") + "," +
                            MatchRule("X-Vendor", "vendor-7\\\\b", "named") + "," +
                            MatchRule("x-vendor", "vendor-8\\\\b", "absent");
  EXPECT_EQ(Hits(rules,
                 "Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKsecond\r\n"
                 "X-VENDOR: none\r\nx-vendor: vendor-7\r\n"),
            (Strings{"via", "named"}));
}

TEST(ChainIndexGateTest, TextInsideWhatRegex1Extracts) {
  const std::string rules = MatchRule("Server", "vendor-5", "extracted", "v[a-z]+-[0-9]") +
                            "," + MatchRule("Server", "vendor-6", "not-extracted", "^[a-z]+");
  EXPECT_EQ(Hits(rules, "Server: SBC vendor-5 vendor-6\r\n"), (Strings{"extracted"}));
}

TEST(ChainIndexGateTest, EditingTheHeaderMakesGatedRulesCandidatesAgain) {
  // The first rule writes the text the later rules need; they must see it.
  const std::string findsub =
      "{\"MsgType\": \"ALL\", \"Action\": \"REPLACE_MSG\", \"ReplaceDefs\": [{\"ReplaceType\": "
      "\"FINDSUB_LINES\", \"Header\": \"Server\", \"Regex1\": \"old\", \"Output\": "
      "\"vendor-9\"}]}";
  const std::string replace =
      "{\"MsgType\": \"ALL\", \"Conditions\": [{\"Header\": \"X-Vendor\", \"Operator\": "
      "\"EXISTS\"}], \"Action\": \"REPLACE_MSG\", \"ReplaceDefs\": [{\"ReplaceType\": "
      "\"REPLACE_LINES\", \"Header\": \"x-vendor\", \"Output\": \"vendor-10\"}]}";
  const std::string add =
      "{\"MsgType\": \"ALL\", \"Action\": \"REPLACE_MSG\", \"ReplaceDefs\": [{\"ReplaceType\": "
      "\"ADD_LINE\", \"Header\": \"Subject\", \"Output\": \"vendor-11\"}]}";
  // Two rules need a text of each header, so that each is gated.
  const std::string rules = MatchRule("X-Vendor", "vendor-none", "none") + "," +
                            MatchRule("Subject", "vendor-none", "none") + "," +
                            MatchRule("Server", "vendor-9\\\\b", "before") + "," + findsub +
                            "," + MatchRule("Server", "vendor-9\\\\b", "after") + "," +
                            replace + "," + MatchRule("X-VENDOR", "vendor-10", "named") + "," +
                            add + "," + MatchRule("s", "vendor-11", "added");
  const ProfileChain chain(Compile(rules));
  for (const bool trace : {false, true}) {
    std::optional<SipMessage> m =
        SipMessage::Parse(Message("Server: old\r\nX-Vendor: x\r\nSubject: subject\r\n"));
    ASSERT_TRUE(m.has_value());
    ApplyOptions options;
    options.trace = trace;
    const ApplyResult result = chain.Apply(*m, options);
    std::vector<std::string> hits;
    for (size_t i = m->FindHeader("X-Hit"); i != SipMessage::npos;
         i = m->FindHeader("X-Hit", i + 1)) {
      hits.emplace_back(m->header_value(i));
    }
    EXPECT_EQ(hits, (Strings{"after", "named", "added"})) << "trace " << trace;
    EXPECT_EQ(result.rules_applied, 6u) << "trace " << trace;
  }
}

}  // namespace
}  // namespace smc
