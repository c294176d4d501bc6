// What the chain's index lets Apply() skip must never show: tracing (which runs only the
// rules the index leaves) reports what --explain (which runs every rule) reports, and rules
// without conditions are counted as applied whether or not they had a line to edit.
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "smc/profile.h"
#include "smc/sip_message.h"

namespace smc {
namespace {

template <typename T>
const T& Pick(std::mt19937& rng, const std::vector<T>& v) {
  return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
}

bool Chance(std::mt19937& rng, int percent) {
  return std::uniform_int_distribution<int>(0, 99)(rng) < percent;
}

const std::vector<std::string> kHeaders = {"Session-Expires", "x", "Allow", "Supported",
                                           "X-A", "x-a", "X-B", "Subject"};

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

// A rule with 0-2 conditions and 0-2 defs; about a third have no condition, half of those
// only edit or delete header lines (rules the index files under the headers they edit).
std::string GenerateRule(std::mt19937& rng) {
  std::string j = "{";
  switch (std::uniform_int_distribution<int>(0, 5)(rng)) {
    case 0: j += "\"MsgType\": \"REQUEST\", "; break;
    case 1: j += "\"MsgType\": \"RESPONSE\", \"RspCodeList\": \"2xx\", "; break;
    case 2: j += "\"ReqMethod\": \"INVITE\", "; break;
    default: break;
  }
  const int conditions = Chance(rng, 35) ? 0 : std::uniform_int_distribution<int>(1, 2)(rng);
  if (conditions > 0) {
    j += "\"Conditions\": [";
    for (int i = 0; i < conditions; ++i) {
      if (i) j += ", ";
      j += "{\"Header\": " + Quoted(Pick(rng, kHeaders)) + ", \"Operator\": ";
      j += Pick(rng, std::vector<std::string>{"\"EXISTS\"", "\"NOT_EXISTS\"",
                                              "\"MATCHES\", \"RightOperand\": \"^[0-9]+$\"",
                                              "\"NEQ\", \"RightOperand\": \"\"",
                                              "\"EQ\", \"RightOperand\": \"\""});
      j += "}";
    }
    j += "], ";
  }
  j += "\"Action\": \"REPLACE_MSG\", \"ReplaceDefs\": [";
  const int defs = std::uniform_int_distribution<int>(0, 2)(rng);
  for (int i = 0; i < defs; ++i) {
    if (i) j += ", ";
    const std::string header = Quoted(Pick(rng, kHeaders));
    switch (std::uniform_int_distribution<int>(0, 4)(rng)) {
      case 0:
        j += "{\"ReplaceType\": \"ADD_LINE\", \"Header\": " +
             Quoted(Pick(rng, std::vector<std::string>{"X-A", "Supported", "X-B"})) +
             ", \"Output\": \"7\"}";
        break;
      case 1:
        j += "{\"ReplaceType\": \"DELETE_LINES\", \"Header\": " + header + "}";
        break;
      case 2:
        j += "{\"ReplaceType\": \"FINDSUB_LINES\", \"Header\": " + header +
             ", \"Regex1\": \"[0-9]+\", \"Output\": \"9\"}";
        break;
      case 3:
        j += "{\"ReplaceType\": \"REPLACE_LINES\", \"Header\": " + header +
             ", \"Output\": \"timer\"}";
        break;
      default:
        j += "{\"ReplaceType\": \"FINDSUB_LINES\", \"Scope\": \"BODY\", \"Regex1\": \"^a=x$\","
             " \"Output\": \"a=y\"}";
        break;
    }
  }
  return j + "]}";
}

std::vector<ProfilePtr> CompileOk(const std::string& json) {
  CompileResult r = CompileProfiles(json, "generated.json");
  EXPECT_TRUE(r.ok()) << json;
  return r.profiles;
}

std::string GenerateMessage(std::mt19937& rng) {
  std::string m = Chance(rng, 50) ? "INVITE sip:b@h SIP/2.0\r\n" : "SIP/2.0 200 OK\r\n";
  m += "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\n"
       "Call-ID: c\r\nCSeq: 1 INVITE\r\n";
  for (int i = std::uniform_int_distribution<int>(0, 5)(rng); i > 0; --i) {
    m += Pick(rng, kHeaders) + ": " + Pick(rng, std::vector<std::string>{"1800", "timer", "a"}) +
         "\r\n";
  }
  return m + "Content-Length: 0\r\n\r\n";
}

TEST(ProfileChainTraceTest, TraceReportsWhatExplainReports) {
  std::mt19937 rng(7);
  int skipped_by_index = 0;
  for (int c = 0; c < 40; ++c) {
    std::string file = "[";
    for (int p = 0; p < 3; ++p) {
      if (p) file += ", ";
      file += "{\"ProfileID\": " + std::to_string(p) + ", \"ProfileName\": \"g\", \"Rules\": [";
      for (int r = 0; r < 15; ++r) file += (r ? ", " : "") + GenerateRule(rng);
      file += "]}";
    }
    const ProfileChain chain(CompileOk(file + "]"));
    for (int n = 0; n < 25; ++n) {
      const std::string wire = GenerateMessage(rng);
      std::optional<SipMessage> traced = SipMessage::Parse(wire);
      std::optional<SipMessage> explained = SipMessage::Parse(wire);
      std::optional<SipMessage> plain = SipMessage::Parse(wire);
      ASSERT_TRUE(traced && explained && plain);
      ApplyOptions trace;
      trace.trace = true;
      ApplyOptions explain;
      explain.explain = true;
      const ApplyResult t = chain.Apply(*traced, trace);
      const ApplyResult e = chain.Apply(*explained, explain);
      const ApplyResult r = chain.Apply(*plain);

      ASSERT_EQ(traced->Serialize(), explained->Serialize()) << wire;
      ASSERT_EQ(plain->Serialize(), explained->Serialize()) << wire;
      EXPECT_EQ(t.rules_applied, e.rules_applied) << wire;
      EXPECT_EQ(r.rules_applied, e.rules_applied) << wire;
      EXPECT_EQ(r.changed, e.changed);
      EXPECT_EQ(t.edits_refused, e.edits_refused);
      ASSERT_EQ(t.events.size(), e.events.size()) << wire;
      for (size_t i = 0; i < t.events.size(); ++i) {
        EXPECT_EQ(t.events[i].profile, e.events[i].profile);
        EXPECT_EQ(t.events[i].rule_index, e.events[i].rule_index);
        EXPECT_EQ(t.events[i].applied, e.events[i].applied) << "event " << i << "\n" << wire;
        EXPECT_EQ(t.events[i].changed, e.events[i].changed) << "event " << i;
        EXPECT_TRUE(t.events[i].notes.empty());
        // Explained rules that did not apply and have no note of a held condition are those
        // whose header was absent: tracing did not run them.
        if (!e.events[i].applied && !e.events[i].notes.empty() &&
            e.events[i].notes.back().find("absent") != std::string::npos) {
          ++skipped_by_index;
        }
      }
    }
  }
  EXPECT_GT(skipped_by_index, 1000);  // the index did leave rules out
}

std::string ProfileOf(const std::string& rules) {
  return R"({"ProfileID": 1, "ProfileName": "t", "Rules": [)" + rules + "]}";
}

TEST(ProfileChainTraceTest, RulesWithoutConditionsCountAsAppliedWithOrWithoutTheirHeader) {
  // Like profiles/library/strip-vendor-headers.json, 300 times over, with three filters.
  std::string rules;
  for (int i = 0; i < 300; ++i) {
    const std::string filter = i % 3 == 0   ? ""
                               : i % 3 == 1 ? R"("MsgType": "REQUEST", )"
                                            : R"("MsgType": "RESPONSE", "RspCodeList": "2xx", )";
    rules += (i ? ", {" : "{") + filter + R"("Action": "REPLACE_MSG", "ReplaceDefs": [)" +
             R"({"ReplaceType": "DELETE_LINES", "Header": "X-Vendor-)" + std::to_string(i) +
             R"("}, {"ReplaceType": "FINDSUB_LINES", "Header": "Server", "Regex1": "v[0-9]+",)" +
             R"( "Output": "v"}]})";
  }
  const ProfileChain chain(CompileOk(ProfileOf(rules)));
  const std::string head = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
                           "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: c\r\n"
                           "CSeq: 1 INVITE\r\n";
  const std::string tail = "Content-Length: 0\r\n\r\n";

  // None of their headers: nothing changes, but every rule whose filter matches applied.
  std::optional<SipMessage> none = SipMessage::Parse(head + tail);
  ASSERT_TRUE(none.has_value());
  ApplyResult r = chain.Apply(*none);
  EXPECT_EQ(r.rules_applied, 200u);  // the unfiltered ones and the 2xx ones
  EXPECT_FALSE(r.changed);

  // Two of their headers: the rules for them run and change the message; the count is the
  // same.
  std::optional<SipMessage> some =
      SipMessage::Parse(head + "X-Vendor-7: a\r\nServer: v12\r\nX-Vendor-8: b\r\n" + tail);
  ASSERT_TRUE(some.has_value());
  r = chain.Apply(*some);
  EXPECT_EQ(r.rules_applied, 200u);
  EXPECT_TRUE(r.changed);
  // X-Vendor-7's rule is for requests; X-Vendor-8's for 2xx responses.
  EXPECT_EQ(some->Serialize(), head + "X-Vendor-7: a\r\nServer: v\r\n" + tail);

  // A request: the REQUEST rules instead of the 2xx ones.
  std::optional<SipMessage> request = SipMessage::Parse(
      "OPTIONS sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\n"
      "To: <sip:b@h>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n" + tail);
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(chain.Apply(*request).rules_applied, 200u);
}

TEST(ProfileChainTraceTest, AHeaderAddedEarlierInTheChainIsEditedByALaterRule) {
  const ProfileChain chain(CompileOk(ProfileOf(
      R"({"Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE",
          "Header": "X-Added", "Output": "secret=1"}]},
         {"Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "FINDSUB_LINES",
          "Header": "x-added", "Regex1": "secret=[^;]*", "Output": "secret=redacted"}]})")));
  const std::string wire =
      "OPTIONS sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\n"
      "To: <sip:b@h>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
  for (const bool trace : {false, true}) {
    std::optional<SipMessage> m = SipMessage::Parse(wire);
    ASSERT_TRUE(m.has_value());
    ApplyOptions options;
    options.trace = trace;
    const ApplyResult r = chain.Apply(*m, options);
    EXPECT_EQ(r.rules_applied, 2u);
    EXPECT_NE(m->Serialize().find("X-Added: secret=redacted\r\n"), std::string::npos)
        << m->Serialize();
    if (trace) {
      ASSERT_EQ(r.events.size(), 2u);
      EXPECT_TRUE(r.events[1].changed);
    }
  }
}

}  // namespace
}  // namespace smc
