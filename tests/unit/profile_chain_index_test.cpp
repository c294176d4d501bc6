// The index a ProfileChain builds must never change a result: a chain of 1,000 generated
// rules gives, on many generated messages, what applying the rules one by one without any
// index gives. The one-by-one evaluation decides the message filter and the conditions
// itself, from the documented semantics, with the public SipMessage API only.
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "smc/header_names.h"
#include "smc/profile.h"
#include "smc/sip_message.h"

namespace smc {
namespace {

// Spellings of a few headers, as a profile or a message may write them.
const std::vector<std::vector<std::string>> kHeaderSpellings = {
    {"Session-Expires", "x", "session-expires", "SESSION-EXPIRES"},
    {"Allow", "allow"},
    {"Supported", "k"},
    {"Min-SE", "min-se"},
    {"Subject", "s"},
    {"Require"},
    {"X-Trunk", "x-trunk", "X-TRUNK"},
    {"X-A", "x-a"},
    {"X-B"},
    {"X-C", "x-c"},
};
// Headers ADD_LINE may add (it takes the name as written: never a compact form).
const std::vector<std::string> kAddable = {"Session-Expires", "Supported", "Min-SE", "Subject",
                                           "X-Trunk", "X-A", "X-B", "X-C", "x-c"};
const std::vector<std::string> kValues = {"1800", "90", "1800;refresher=uac", "timer",
                                          "INVITE,UPDATE", "a", "7", "in-7"};

struct CondSpec {
  std::string header;
  std::string op;                      // EXISTS NOT_EXISTS EQ NEQ MATCHES GT
  std::optional<std::string> operand;  // RightOperand
  std::optional<std::string> regex1;
};

struct DefSpec {
  std::string type;  // ADD_LINE DELETE_LINES FINDSUB_LINES REPLACE_LINES
  std::string header;
  std::optional<std::string> regex1;
  std::string output;
};

struct RuleSpec {
  std::string msg_type = "ALL";
  std::optional<std::string> method;  // one method
  std::optional<int> code_class;      // RspCodeList "Nxx"
  std::vector<CondSpec> conditions;
  std::vector<DefSpec> defs;
};

template <typename T>
const T& Pick(std::mt19937& rng, const std::vector<T>& v) {
  return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
}

bool Chance(std::mt19937& rng, int percent) {
  return std::uniform_int_distribution<int>(0, 99)(rng) < percent;
}

std::string AnySpelling(std::mt19937& rng) { return Pick(rng, Pick(rng, kHeaderSpellings)); }

RuleSpec GenerateRule(std::mt19937& rng) {
  RuleSpec r;
  const int kind = std::uniform_int_distribution<int>(0, 9)(rng);
  if (kind == 0) r.msg_type = "REQUEST";
  if (kind == 1) r.msg_type = "RESPONSE";
  if (Chance(rng, 15)) r.method = Pick(rng, std::vector<std::string>{"INVITE", "OPTIONS"});
  if (r.msg_type != "REQUEST" && Chance(rng, 15)) {
    r.code_class = std::uniform_int_distribution<int>(1, 2)(rng);
  }
  const int conditions = std::uniform_int_distribution<int>(0, 2)(rng);
  for (int i = 0; i < conditions; ++i) {
    CondSpec c;
    c.header = AnySpelling(rng);
    switch (std::uniform_int_distribution<int>(0, 7)(rng)) {
      case 0: c.op = "EXISTS"; break;
      case 1: c.op = "NOT_EXISTS"; break;
      case 2: c.op = "EQ"; c.operand = Pick(rng, kValues); break;
      case 3: c.op = "NEQ"; c.operand = ""; break;
      case 4: c.op = "NEQ"; c.operand = Pick(rng, kValues); break;
      case 5: c.op = "EQ"; c.operand = ""; break;
      case 6:
        // Patterns with and without a text every match needs (the index gates the first
        // kind on the header's lines), the text absent, present, or written by an edit.
        c.op = "MATCHES";
        c.operand = Pick(rng, std::vector<std::string>{"^[0-9]", "UPDATE", "in-7", "(?i)update",
                                                       "a|in", "refresher=u", "[0-9]+;r",
                                                       "(uac|uas)", "0;", "^[0-9]"});
        break;
      default: c.op = "GT"; c.operand = "100"; break;
    }
    if (Chance(rng, 30)) c.regex1 = Pick(rng, std::vector<std::string>{"[0-9]+", "^[a-z]+"});
    r.conditions.push_back(std::move(c));
  }
  const int defs = std::uniform_int_distribution<int>(1, 2)(rng);
  for (int i = 0; i < defs; ++i) {
    DefSpec d;
    switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
      case 0:
        d.type = "ADD_LINE";
        d.header = Pick(rng, kAddable);
        d.output = Pick(rng, kValues);
        break;
      case 1:
        d.type = "DELETE_LINES";
        d.header = AnySpelling(rng);
        if (Chance(rng, 50)) d.regex1 = "^[0-9]";
        break;
      case 2:
        d.type = "FINDSUB_LINES";
        d.header = AnySpelling(rng);
        d.regex1 = Pick(rng, std::vector<std::string>{"[0-9]+", "UPDATE", "in"});
        d.output = Pick(rng, kValues);
        break;
      default:
        d.type = "REPLACE_LINES";
        d.header = AnySpelling(rng);
        d.output = Pick(rng, kValues);
        break;
    }
    r.defs.push_back(std::move(d));
  }
  return r;
}

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string RuleJson(const RuleSpec& r) {
  std::string j = "{\"MsgType\": " + Quoted(r.msg_type);
  if (r.method) j += ", \"ReqMethod\": " + Quoted(*r.method);
  if (r.code_class) j += ", \"RspCodeList\": \"" + std::to_string(*r.code_class) + "xx\"";
  if (!r.conditions.empty()) {
    j += ", \"Conditions\": [";
    for (size_t i = 0; i < r.conditions.size(); ++i) {
      const CondSpec& c = r.conditions[i];
      if (i) j += ", ";
      j += "{\"Header\": " + Quoted(c.header) + ", \"Operator\": " + Quoted(c.op);
      if (c.operand) j += ", \"RightOperand\": " + Quoted(*c.operand);
      if (c.regex1) j += ", \"Regex1\": " + Quoted(*c.regex1);
      j += "}";
    }
    j += "]";
  }
  j += ", \"Action\": \"REPLACE_MSG\", \"ReplaceDefs\": [";
  for (size_t i = 0; i < r.defs.size(); ++i) {
    const DefSpec& d = r.defs[i];
    if (i) j += ", ";
    j += "{\"ReplaceType\": " + Quoted(d.type) + ", \"Header\": " + Quoted(d.header);
    if (d.regex1) j += ", \"Regex1\": " + Quoted(*d.regex1);
    if (d.type != "DELETE_LINES") j += ", \"Output\": " + Quoted(d.output);
    j += "}";
  }
  return j + "]}";
}

std::string ProfileJson(const std::string& id, const std::vector<RuleSpec>& rules, size_t begin,
                        size_t end) {
  std::string j = "{\"ProfileID\": " + Quoted(id) + ", \"ProfileName\": \"generated\", \"Rules\": [";
  for (size_t i = begin; i < end; ++i) {
    if (i != begin) j += ", ";
    j += RuleJson(rules[i]);
  }
  return j + "]}";
}

std::vector<ProfilePtr> CompileOk(const std::string& json) {
  CompileResult r = CompileProfiles(json, "generated.json");
  for (const Diagnostic& d : r.diagnostics) {
    if (d.severity == Severity::kError) ADD_FAILURE() << FormatDiagnostic(d);
  }
  return r.profiles;
}

std::string GenerateMessage(std::mt19937& rng) {
  std::string m;
  std::string method = Pick(rng, std::vector<std::string>{"INVITE", "OPTIONS", "BYE"});
  if (Chance(rng, 50)) {
    m = method + " sip:+15559870002@10.0.0.2 SIP/2.0\r\n";
  } else {
    m = Pick(rng, std::vector<std::string>{"SIP/2.0 200 OK\r\n", "SIP/2.0 180 Ringing\r\n",
                                           "SIP/2.0 404 Not Found\r\n"});
  }
  m += "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK77\r\n"
       "From: <sip:a@10.0.0.1>;tag=1\r\nTo: <sip:b@10.0.0.2>\r\nCall-ID: gen@10.0.0.1\r\n"
       "CSeq: 1 " + method + "\r\n";
  const int lines = std::uniform_int_distribution<int>(0, 8)(rng);
  for (int i = 0; i < lines; ++i) {
    const std::string separator =
        Pick(rng, std::vector<std::string>{": ", ":", " : ", ":\t", ":  "});
    m += AnySpelling(rng) + separator + Pick(rng, kValues) + "\r\n";
  }
  m += "Content-Length: 0\r\n\r\n";
  return m;
}

// ---- the evaluation without an index, from docs/profiles.md ----

bool NaiveFilter(const RuleSpec& r, const SipMessage& m) {
  if (r.msg_type == "REQUEST" && !m.is_request()) return false;
  if (r.msg_type == "RESPONSE" && m.is_request()) return false;
  if (r.method && m.transaction_method() != *r.method) return false;
  if (r.code_class && !m.is_request() && m.status_code() / 100 != *r.code_class) return false;
  return true;
}

bool NaiveCompare(const CondSpec& c, const std::string& value) {
  if (c.op == "EQ") return value == *c.operand;
  if (c.op == "NEQ") return value != *c.operand;
  if (c.op == "MATCHES") return RE2::PartialMatch(value, *c.operand);
  // GT: value and operand decimal integers.
  if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos) return false;
  return std::stoll(value) > std::stoll(*c.operand);
}

bool NaiveCondition(const CondSpec& c, const SipMessage& m) {
  std::vector<std::string> values;
  std::vector<bool> matched;
  for (size_t i = 0; i < m.header_count(); ++i) {
    if (!SameHeaderName(m.header_name(i), c.header)) continue;
    std::string value(m.header_value(i));
    bool ok = true;
    if (c.regex1) {
      re2::StringPiece match;
      ok = RE2(*c.regex1).Match(value, 0, value.size(), RE2::UNANCHORED, &match, 1);
      value = ok ? std::string(match.data(), match.size()) : "";
    }
    values.push_back(value);
    matched.push_back(ok);
  }
  if (c.op == "EXISTS" || c.op == "NOT_EXISTS") {
    bool any = false;
    for (bool ok : matched) any = any || ok;
    return any == (c.op == "EXISTS");
  }
  if (values.empty()) return NaiveCompare(c, "");
  for (const std::string& v : values) {
    if (NaiveCompare(c, v)) return true;
  }
  return false;
}

class ChainIndexEquivalenceTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(ChainIndexEquivalenceTest, ThousandRulesMatchOneByOneEvaluation) {
  std::mt19937 rng(GetParam());
  constexpr size_t kRules = 1000;
  constexpr size_t kProfiles = 10;
  constexpr int kMessages = 150;

  std::vector<RuleSpec> specs;
  for (size_t i = 0; i < kRules; ++i) specs.push_back(GenerateRule(rng));

  std::string file = "[";
  for (size_t p = 0; p < kProfiles; ++p) {
    if (p) file += ",\n";
    file += ProfileJson("p" + std::to_string(p), specs, p * kRules / kProfiles,
                        (p + 1) * kRules / kProfiles);
  }
  file += "]";
  const std::vector<ProfilePtr> profiles = CompileOk(file);
  ASSERT_EQ(profiles.size(), kProfiles);
  const ProfileChain chain(profiles);

  std::vector<ProfileChain> one_rule;
  for (size_t i = 0; i < kRules; ++i) {
    std::vector<ProfilePtr> p = CompileOk(ProfileJson("r" + std::to_string(i), specs, i, i + 1));
    ASSERT_EQ(p.size(), 1u) << RuleJson(specs[i]);
    one_rule.emplace_back(std::move(p));
  }

  int changed_messages = 0;
  uint32_t total_applied = 0;
  for (int n = 0; n < kMessages; ++n) {
    const std::string wire = GenerateMessage(rng);
    std::optional<SipMessage> indexed = SipMessage::Parse(wire);
    std::optional<SipMessage> naive = SipMessage::Parse(wire);
    ASSERT_TRUE(indexed && naive) << wire;

    const ApplyResult result = chain.Apply(*indexed);

    uint32_t naive_applied = 0;
    bool naive_changed = false;
    size_t filter_matched = 0;
    for (size_t i = 0; i < kRules; ++i) {
      const bool filter = NaiveFilter(specs[i], *naive);
      filter_matched += filter ? 1 : 0;
      bool holds = filter;
      for (const CondSpec& c : specs[i].conditions) holds = holds && NaiveCondition(c, *naive);
      if (!holds) continue;
      const ApplyResult one = one_rule[i].Apply(*naive);
      ASSERT_EQ(one.rules_applied, 1u) << "rule " << i << " " << RuleJson(specs[i]) << "\n"
                                       << naive->Serialize();
      ++naive_applied;
      naive_changed = naive_changed || one.changed;
    }

    ASSERT_EQ(indexed->Serialize(), naive->Serialize()) << "message " << n << ":\n" << wire;
    EXPECT_EQ(result.rules_applied, naive_applied) << wire;
    EXPECT_EQ(result.changed, naive_changed) << wire;
    changed_messages += result.changed ? 1 : 0;
    total_applied += result.rules_applied;

    // Tracing walks every rule: it reports each one whose filter matched, and agrees.
    if (n % 10 == 0) {
      std::optional<SipMessage> traced = SipMessage::Parse(wire);
      ApplyOptions trace;
      trace.trace = true;
      const ApplyResult t = chain.Apply(*traced, trace);
      EXPECT_EQ(traced->Serialize(), indexed->Serialize());
      EXPECT_EQ(t.rules_applied, result.rules_applied);
      uint32_t applied_events = 0;
      for (const RuleEvent& e : t.events) applied_events += e.applied ? 1 : 0;
      EXPECT_EQ(applied_events, t.rules_applied);
      // A filter looks only at the start line and CSeq, which no rule edits.
      EXPECT_EQ(t.events.size(), filter_matched);
    }
  }
  // The generator must exercise the chain: most messages see some rule apply.
  EXPECT_GT(changed_messages, kMessages / 2);
  EXPECT_GT(total_applied, static_cast<uint32_t>(kMessages));
}

INSTANTIATE_TEST_SUITE_P(Seeds, ChainIndexEquivalenceTest, ::testing::Values(1u, 2u, 3u, 4u));

}  // namespace
}  // namespace smc
