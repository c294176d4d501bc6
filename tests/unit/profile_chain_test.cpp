// ProfileChain::Apply as a user meets it: profiles compiled from JSON text, applied to
// realistic SIP messages, the serialized result compared byte for byte.
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "smc/profile.h"
#include "smc/sip_message.h"

namespace smc {
namespace {

// A message from lines written with "\n": every line gets CRLF, a blank line ends the
// header section, and "@LEN@" becomes the body's size.
std::string Wire(std::string_view head, std::string_view body = "") {
  std::string out;
  size_t pos = 0;
  while (pos < head.size()) {
    size_t nl = head.find('\n', pos);
    if (nl == std::string_view::npos) nl = head.size();
    out.append(head.substr(pos, nl - pos));
    out.append("\r\n");
    pos = nl + 1;
  }
  out.append("\r\n");
  const size_t len = out.find("@LEN@");
  if (len != std::string::npos) out.replace(len, 5, std::to_string(body.size()));
  out.append(body);
  return out;
}

SipMessage Parse(const std::string& wire) {
  std::string error;
  std::optional<SipMessage> m = SipMessage::Parse(wire, &error);
  EXPECT_TRUE(m.has_value()) << error << "\n" << wire;
  return m ? std::move(*m) : *SipMessage::Parse("OPTIONS sip:x SIP/2.0\r\n\r\n");
}

std::vector<ProfilePtr> Compile(std::string_view json) {
  CompileResult r = CompileProfiles(json, "test.json");
  for (const Diagnostic& d : r.diagnostics) {
    if (d.severity == Severity::kError) ADD_FAILURE() << FormatDiagnostic(d);
  }
  return r.profiles;
}

ProfileChain Chain(std::string_view json) { return ProfileChain(Compile(json)); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<ProfilePtr> VsxiProfile(const std::string& file) {
  return Compile(ReadFile(std::string(SMC_SOURCE_DIR) + "/profiles/vsxi/" + file));
}

// Applies the chain to `wire` and returns the message as serialized afterwards.
std::string ApplyTo(const ProfileChain& chain, const std::string& wire,
                    ApplyResult* result = nullptr, const ApplyOptions& options = {}) {
  SipMessage m = Parse(wire);
  ApplyResult r = chain.Apply(m, options);
  if (result) *result = std::move(r);
  return m.Serialize();
}

constexpr std::string_view kSdp =
    "v=0\r\n"
    "o=- 2890844527 2890844527 IN IP4 10.0.0.2\r\n"
    "s=-\r\n"
    "c=IN IP4 10.0.0.2\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/AVP 0 101\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=sendrecv\r\n";

// The head of a 2xx/1xx to an INVITE, with the Allow and Session-Expires lines given.
std::string ResponseHead(std::string_view status, std::string_view allow,
                         std::string_view session_expires, std::string_view cseq = "INVITE") {
  std::string h = "SIP/2.0 " + std::string(status) + "\n";
  h += "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds;received=10.0.0.1\n";
  h += "From: \"Alice\" <sip:+15551230001@10.0.0.1>;tag=1928301774\n";
  h += "To: <sip:+15559870002@10.0.0.2>;tag=a6c85cf\n";
  h += "Call-ID: a84b4c76e66710@10.0.0.1\n";
  h += "CSeq: 314159 " + std::string(cseq) + "\n";
  h += "Contact: <sip:+15559870002@10.0.0.2:5060>\n";
  if (!allow.empty()) h += std::string(allow) + "\n";
  h += "Supported: timer\n";
  if (!session_expires.empty()) h += std::string(session_expires) + "\n";
  h += "Content-Type: application/sdp\n";
  h += "Content-Length: @LEN@";
  return h;
}

std::string InviteHead(std::string_view allow, std::string_view session_expires) {
  std::string h = "INVITE sip:+15559870002@10.0.0.2:5060 SIP/2.0\n";
  h += "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds\n";
  h += "Max-Forwards: 70\n";
  h += "From: \"Alice\" <sip:+15551230001@10.0.0.1>;tag=1928301774\n";
  h += "To: <sip:+15559870002@10.0.0.2>\n";
  h += "Call-ID: a84b4c76e66710@10.0.0.1\n";
  h += "CSeq: 314159 INVITE\n";
  h += "Contact: <sip:+15551230001@10.0.0.1:5060>\n";
  if (!allow.empty()) h += std::string(allow) + "\n";
  h += "Supported: timer\n";
  if (!session_expires.empty()) h += std::string(session_expires) + "\n";
  h += "Content-Type: application/sdp\n";
  h += "Content-Length: @LEN@";
  return h;
}

// ---------------------------------------------------------------------------------------
// The three VSXi profiles, as shipped in profiles/vsxi/.

class ApplyVsxiProfilesTest : public ::testing::Test {
 protected:
  std::vector<ProfilePtr> strip_update_ = VsxiProfile("remove-update-from-allow.json");
  std::vector<ProfilePtr> halve_se_ = VsxiProfile("halve-session-expires-1800.json");
  std::vector<ProfilePtr> remove_se_ = VsxiProfile("remove-session-expires.json");
  std::vector<ProfilePtr> All() const {
    return {strip_update_.at(0), halve_se_.at(0), remove_se_.at(0)};
  }
};

TEST_F(ApplyVsxiProfilesTest, OkToInviteLosesUpdateAndSessionExpires) {
  const ProfileChain chain(All());
  ApplyResult r;
  const std::string out = ApplyTo(
      chain,
      Wire(ResponseHead("200 OK", "Allow: INVITE,ACK,CANCEL,BYE,OPTIONS,UPDATE",
                        "Session-Expires: 1800;refresher=uac"),
           kSdp),
      &r);
  EXPECT_EQ(out, Wire(ResponseHead("200 OK", "Allow: INVITE,ACK,CANCEL,BYE,OPTIONS", ""), kSdp));
  EXPECT_TRUE(r.changed);
  EXPECT_EQ(r.rules_applied, 3u);
  EXPECT_EQ(r.edits_refused, 0u);
  EXPECT_TRUE(r.events.empty());
}

TEST_F(ApplyVsxiProfilesTest, HalvingWithoutRemovalKeepsRefresher) {
  const ProfileChain chain({strip_update_.at(0), halve_se_.at(0)});
  const std::string out = ApplyTo(
      chain, Wire(ResponseHead("200 OK", "Allow: INVITE,ACK,UPDATE,BYE",
                               "Session-Expires: 1800;refresher=uac"),
                  kSdp));
  EXPECT_EQ(out, Wire(ResponseHead("200 OK", "Allow: INVITE,ACK,BYE",
                                   "Session-Expires: 900;refresher=uac"),
                      kSdp));
}

TEST_F(ApplyVsxiProfilesTest, RingingIsUntouched) {
  const ProfileChain chain(All());
  const std::string in = Wire(ResponseHead("180 Ringing", "Allow: INVITE,ACK,UPDATE",
                                           "Session-Expires: 1800;refresher=uac"));
  ApplyResult r;
  EXPECT_EQ(ApplyTo(chain, in, &r), in);
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(r.rules_applied, 0u);
}

TEST_F(ApplyVsxiProfilesTest, InviteIsUntouched) {
  const ProfileChain chain(All());
  const std::string in = Wire(
      InviteHead("Allow: INVITE,ACK,UPDATE", "Session-Expires: 1800;refresher=uac"), kSdp);
  ApplyResult r;
  EXPECT_EQ(ApplyTo(chain, in, &r), in);
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(r.rules_applied, 0u);
}

TEST_F(ApplyVsxiProfilesTest, AsWrittenTheyMissSpacedAllowAndBareSessionExpires) {
  // Profile 17 looks for ",UPDATE" without a space; profile 100 needs "1800;".
  const ProfileChain chain({strip_update_.at(0), halve_se_.at(0)});
  const std::string in = Wire(ResponseHead("200 OK", "Allow: INVITE, ACK, UPDATE",
                                           "Session-Expires: 1800"),
                              kSdp);
  ApplyResult r;
  EXPECT_EQ(ApplyTo(chain, in, &r), in);
  EXPECT_FALSE(r.changed);
  // 17's condition (UPDATE present) held, though its edit found nothing to remove.
  EXPECT_EQ(r.rules_applied, 1u);
}

TEST_F(ApplyVsxiProfilesTest, CompactAndLowerCaseSessionExpires) {
  const ProfileChain halve(halve_se_);
  EXPECT_EQ(ApplyTo(halve, Wire(ResponseHead("200 OK", "", "x: 1800;refresher=uac"))),
            Wire(ResponseHead("200 OK", "", "x: 900;refresher=uac")));
  EXPECT_EQ(ApplyTo(halve, Wire(ResponseHead("200 OK", "",
                                             "session-expires:1800;refresher=uas"))),
            Wire(ResponseHead("200 OK", "", "session-expires: 900;refresher=uas")));

  const ProfileChain remove(remove_se_);
  EXPECT_EQ(ApplyTo(remove, Wire(ResponseHead("200 OK", "", "x: 1800;refresher=uac"))),
            Wire(ResponseHead("200 OK", "", "")));
  EXPECT_EQ(ApplyTo(remove, Wire(ResponseHead("200 OK", "", "x: 90\nSESSION-EXPIRES: 1800"))),
            Wire(ResponseHead("200 OK", "", "")));
}

TEST_F(ApplyVsxiProfilesTest, RemovalOnlyOnA200) {
  const ProfileChain remove(remove_se_);
  const std::string in =
      Wire(ResponseHead("183 Session Progress", "", "Session-Expires: 1800"), kSdp);
  EXPECT_EQ(ApplyTo(remove, in), in);
}

TEST_F(ApplyVsxiProfilesTest, RepeatedAllowLinesEachEdited) {
  const ProfileChain chain(strip_update_);
  const std::string out = ApplyTo(
      chain, Wire(ResponseHead("200 OK", "Allow: INVITE,ACK\nAllow: BYE,UPDATE\n"
                                         "allow:  OPTIONS,UPDATE,INFO\nAllow: PRACK",
                               "")));
  EXPECT_EQ(out, Wire(ResponseHead("200 OK", "Allow: INVITE,ACK\nAllow: BYE\n"
                                              "allow: OPTIONS,INFO\nAllow: PRACK",
                                   "")));
}

TEST_F(ApplyVsxiProfilesTest, ExplainNotesSayWhatHeldAndWhatChanged) {
  const ProfileChain chain({strip_update_.at(0), remove_se_.at(0)});
  ApplyResult r;
  ApplyOptions options;
  options.explain = true;
  ApplyTo(chain,
          Wire(ResponseHead("200 OK", "Allow: INVITE,ACK,UPDATE",
                            "Session-Expires: 1800;refresher=uac")),
          &r, options);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].profile, strip_update_.at(0).get());
  EXPECT_EQ(r.events[0].rule_index, 0u);
  EXPECT_TRUE(r.events[0].applied);
  EXPECT_TRUE(r.events[0].changed);
  EXPECT_EQ(r.events[0].notes,
            (std::vector<std::string>{
                R"(condition /Rules/0/Conditions/0 held: Allow "INVITE,ACK,UPDATE" matched "UPDATE")",
                R"(Allow: "INVITE,ACK,UPDATE" -> "INVITE,ACK")"}));
  EXPECT_EQ(r.events[1].profile, remove_se_.at(0).get());
  EXPECT_EQ(r.events[1].notes,
            (std::vector<std::string>{
                R"(condition /Rules/0/Conditions/0 held: Session-Expires "1800;refresher=uac")",
                R"(deleted Session-Expires: "1800;refresher=uac")"}));
}

TEST_F(ApplyVsxiProfilesTest, TraceRecordsRulesWhoseFilterMatched) {
  const ProfileChain chain(All());
  ApplyOptions trace;
  trace.trace = true;
  ApplyResult r;
  // A 200 without Allow or Session-Expires: every filter matches, no condition holds.
  ApplyTo(chain, Wire(ResponseHead("200 OK", "", "")), &r, trace);
  ASSERT_EQ(r.events.size(), 3u);
  for (const RuleEvent& e : r.events) {
    EXPECT_FALSE(e.applied);
    EXPECT_FALSE(e.changed);
    EXPECT_TRUE(e.notes.empty());  // notes only with explain
  }
  EXPECT_EQ(r.events[2].profile, remove_se_.at(0).get());
  // A 180: no filter matches, nothing recorded.
  ApplyTo(chain, Wire(ResponseHead("180 Ringing", "Allow: UPDATE", "x: 1800;")), &r, trace);
  EXPECT_TRUE(r.events.empty());
}

// ---------------------------------------------------------------------------------------
// Message filter.

TEST(ApplyRuleFilterTest, ReqMethodOfAResponseIsItsCSeqMethod) {
  const ProfileChain chain = Chain(R"({"ProfileID": 1, "ProfileName": "t", "Rules": [{
      "MsgType": "RESPONSE", "ReqMethod": "invite", "Action": "REPLACE_MSG",
      "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "X-Seen", "Output": "yes"}]}]})");
  EXPECT_EQ(ApplyTo(chain, Wire(ResponseHead("200 OK", "", "", "INVITE"))),
            Wire(ResponseHead("200 OK", "", "", "INVITE") + "\nX-Seen: yes"));
  const std::string bye = Wire(ResponseHead("200 OK", "", "", "BYE"));
  EXPECT_EQ(ApplyTo(chain, bye), bye);
}

TEST(ApplyRuleFilterTest, RspCodeListDoesNotAffectRequests) {
  const ProfileChain chain = Chain(R"({"ProfileID": 1, "ProfileName": "t", "Rules": [{
      "MsgType": "ALL", "RspCodeList": "2xx, 180", "Action": "REPLACE_MSG",
      "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "X-Seen", "Output": "yes"}]}]})");
  EXPECT_EQ(ApplyTo(chain, Wire(InviteHead("", ""))),
            Wire(InviteHead("", "") + "\nX-Seen: yes"));
  EXPECT_EQ(ApplyTo(chain, Wire(ResponseHead("180 Ringing", "", ""))),
            Wire(ResponseHead("180 Ringing", "", "") + "\nX-Seen: yes"));
  EXPECT_EQ(ApplyTo(chain, Wire(ResponseHead("202 Accepted", "", ""))),
            Wire(ResponseHead("202 Accepted", "", "") + "\nX-Seen: yes"));
  const std::string progress = Wire(ResponseHead("183 Session Progress", "", ""));
  EXPECT_EQ(ApplyTo(chain, progress), progress);
}

TEST(ApplyRuleFilterTest, MsgTypeRequestSkipsResponses) {
  const ProfileChain chain = Chain(R"({"ProfileID": 1, "ProfileName": "t", "Rules": [{
      "MsgType": "REQUEST", "ReqMethod": "INVITE,UPDATE", "Action": "REPLACE_MSG",
      "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "X-Seen", "Output": "yes"}]}]})");
  const std::string ok = Wire(ResponseHead("200 OK", "", ""));
  EXPECT_EQ(ApplyTo(chain, ok), ok);
  EXPECT_EQ(ApplyTo(chain, Wire(InviteHead("", ""))),
            Wire(InviteHead("", "") + "\nX-Seen: yes"));
}

// ---------------------------------------------------------------------------------------
// Conditions.

// A profile adding "X-Held: yes" when one condition holds.
std::string IfThenMark(std::string_view condition) {
  return R"({"ProfileID": 1, "ProfileName": "t", "Rules": [{"Conditions": [)" +
         std::string(condition) +
         R"(], "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE",
         "Header": "X-Held", "Output": "yes"}]}]})";
}

// Whether the condition holds on the message, seen through the edit it guards.
bool Holds(std::string_view condition, const std::string& wire) {
  const ProfileChain chain(Compile(IfThenMark(condition)));
  SipMessage m = Parse(wire);
  const ApplyResult r = chain.Apply(m);
  const bool marked = m.FindHeader("X-Held") != SipMessage::npos;
  EXPECT_EQ(r.changed, marked);
  EXPECT_EQ(r.rules_applied, marked ? 1u : 0u);
  return marked;
}

TEST(ApplyConditionTest, NeqEmptyOnMissingHeaderDoesNotHold) {
  const std::string without = Wire(ResponseHead("200 OK", "", ""));
  const std::string with = Wire(ResponseHead("200 OK", "", "Session-Expires: 1800"));
  const std::string neq_empty =
      R"({"Header": "Session-Expires", "Operator": "NEQ", "RightOperand": ""})";
  EXPECT_FALSE(Holds(neq_empty, without));
  EXPECT_TRUE(Holds(neq_empty, with));
  // EQ "" is its complement: it holds on the missing header.
  const std::string eq_empty =
      R"({"Header": "Session-Expires", "Operator": "EQ", "RightOperand": ""})";
  EXPECT_TRUE(Holds(eq_empty, without));
  EXPECT_FALSE(Holds(eq_empty, with));
}

TEST(ApplyConditionTest, RegexThatDoesNotMatchGivesEmptyValue) {
  const std::string c =
      R"({"Header": "Allow", "Regex1": "UPDATE", "Operator": "NEQ", "RightOperand": ""})";
  EXPECT_FALSE(Holds(c, Wire(ResponseHead("200 OK", "Allow: INVITE,BYE", ""))));
  EXPECT_TRUE(Holds(c, Wire(ResponseHead("200 OK", "Allow: INVITE,BYE\nAllow: UPDATE", ""))));
}

TEST(ApplyConditionTest, SomeLineSatisfyingIsEnough) {
  const std::string c =
      R"({"Header": "Session-Expires", "Operator": "EQ", "RightOperand": "1800"})";
  EXPECT_TRUE(Holds(c, Wire(ResponseHead("200 OK", "", "x: 90\nSession-Expires: 1800"))));
  EXPECT_FALSE(Holds(c, Wire(ResponseHead("200 OK", "", "x: 90\nSession-Expires: 1801"))));
}

TEST(ApplyConditionTest, Regex2ExtractsInsideRegex1Match) {
  const std::string c = R"({"Header": "Session-Expires", "RegEx1": "[0-9]+;",
      "RegEx2": "[0-9]+", "Operator": "EQ", "RightOperand": "1800"})";
  EXPECT_TRUE(Holds(c, Wire(ResponseHead("200 OK", "", "Session-Expires: 1800;refresher=uac"))));
  EXPECT_FALSE(Holds(c, Wire(ResponseHead("200 OK", "", "Session-Expires: 1800"))));
  EXPECT_FALSE(Holds(c, Wire(ResponseHead("200 OK", "", "Session-Expires: 18000;refresher=uac"))));
}

TEST(ApplyConditionTest, ExistsAndNotExistsAreAboutLines) {
  const std::string exists = R"({"Header": "Require", "Operator": "EXISTS"})";
  const std::string not_exists = R"({"Header": "Require", "Operator": "NOT_EXISTS"})";
  const std::string with = Wire(ResponseHead("200 OK", "Require: timer", ""));
  const std::string with_empty = Wire(ResponseHead("200 OK", "Require:", ""));
  const std::string without = Wire(ResponseHead("200 OK", "", ""));
  EXPECT_TRUE(Holds(exists, with));
  EXPECT_TRUE(Holds(exists, with_empty));
  EXPECT_FALSE(Holds(exists, without));
  EXPECT_FALSE(Holds(not_exists, with));
  EXPECT_FALSE(Holds(not_exists, with_empty));
  EXPECT_TRUE(Holds(not_exists, without));
  // The default operator is EXISTS.
  EXPECT_TRUE(Holds(R"({"Header": "Require"})", with));
  EXPECT_FALSE(Holds(R"({"Header": "Require"})", without));
  // With Regex1: a line where it matches.
  const std::string exists_re =
      R"({"Header": "Require", "Regex1": "^timer$", "Operator": "EXISTS"})";
  const std::string not_exists_re =
      R"({"Header": "Require", "Regex1": "^timer$", "Operator": "NOT_EXISTS"})";
  const std::string two = Wire(ResponseHead("200 OK", "Require: 100rel\nRequire: timer", ""));
  EXPECT_TRUE(Holds(exists_re, two));
  EXPECT_FALSE(Holds(not_exists_re, two));
  const std::string other = Wire(ResponseHead("200 OK", "Require: 100rel", ""));
  EXPECT_FALSE(Holds(exists_re, other));
  EXPECT_TRUE(Holds(not_exists_re, other));
  EXPECT_TRUE(Holds(not_exists_re, without));
}

TEST(ApplyConditionTest, NumericAndRegexOperators) {
  const std::string se = Wire(ResponseHead("200 OK", "", "Session-Expires: 1800;refresher=uac"));
  EXPECT_TRUE(Holds(R"({"Header": "x", "Regex1": "^[0-9]+", "Operator": "GT",
      "RightOperand": 900})", se));
  EXPECT_FALSE(Holds(R"({"Header": "x", "Regex1": "^[0-9]+", "Operator": "LT",
      "RightOperand": "900"})", se));
  // The whole value is not an integer: no numeric comparison holds.
  EXPECT_FALSE(Holds(R"({"Header": "x", "Operator": "GT", "RightOperand": "0"})", se));
  EXPECT_TRUE(Holds(R"({"Header": "Session-Expires", "Operator": "MATCHES",
      "RightOperand": "(?i)REFRESHER=UAC"})", se));
  EXPECT_FALSE(Holds(R"({"Header": "Session-Expires", "Operator": "NOT_MATCHES",
      "RightOperand": "refresher"})", se));
}

TEST(ApplyConditionTest, AllConditionsMustHold) {
  const std::string json = R"({"ProfileID": 1, "ProfileName": "t", "Rules": [{"Conditions": [
      {"Header": "Supported", "Operator": "EQ", "RightOperand": "timer"},
      {"Header": "Require", "Operator": "EXISTS"}],
      "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "DELETE_LINES",
      "Header": "Require"}]}]})";
  const ProfileChain chain(Compile(json));
  EXPECT_EQ(ApplyTo(chain, Wire(ResponseHead("200 OK", "Require: timer", ""))),
            Wire(ResponseHead("200 OK", "", "")));
  const std::string other = Wire(
      "SIP/2.0 200 OK\nCSeq: 1 INVITE\nSupported: 100rel\nRequire: timer\nContent-Length: 0");
  EXPECT_EQ(ApplyTo(chain, other), other);
}

TEST(ApplyConditionTest, RequestUriAndBodyTargets) {
  const std::string invite = Wire(InviteHead("", ""), kSdp);
  EXPECT_TRUE(Holds(R"({"Scope": "REQUEST_URI", "Regex1": "^sip:\\+1", "Operator": "EXISTS"})",
                    invite));
  EXPECT_FALSE(Holds(R"({"Scope": "REQUEST_URI", "Operator": "EXISTS"})",
                     Wire(ResponseHead("200 OK", "", ""), kSdp)));
  EXPECT_TRUE(Holds(R"({"Scope": "BODY", "Operator": "EQ", "RightOperand": "a=sendrecv"})",
                    invite));
  EXPECT_FALSE(Holds(R"({"Scope": "BODY", "Operator": "EQ", "RightOperand": "a=sendonly"})",
                     invite));
  EXPECT_FALSE(Holds(R"({"Scope": "BODY", "Operator": "EXISTS"})", Wire(InviteHead("", ""))));
}

// ---------------------------------------------------------------------------------------
// Replace definitions.

// A one-rule profile with no condition and the given defs.
ProfileChain Defs(std::string_view defs) {
  return ProfileChain(Compile(R"({"ProfileID": 1, "ProfileName": "t", "Rules": [{
      "Action": "REPLACE_MSG", "ReplaceDefs": [)" + std::string(defs) + "]}]}"));
}

// An OPTIONS with extra header lines before and after its Content-Length (the last line).
std::string SimpleRequest(std::string_view before, std::string_view after = "") {
  std::string h = "OPTIONS sip:gw@10.0.0.2 SIP/2.0\n"
                  "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\n"
                  "From: <sip:a@10.0.0.1>;tag=1\n"
                  "To: <sip:gw@10.0.0.2>\n"
                  "Call-ID: c1\n"
                  "CSeq: 1 OPTIONS\n";
  if (!before.empty()) h += std::string(before) + "\n";
  h += "Content-Length: 0";
  if (!after.empty()) h += "\n" + std::string(after);
  return Wire(h);
}

TEST(ApplyFindSubTest, EveryMatchOfEveryLine) {
  const ProfileChain chain = Defs(R"({"ReplaceType": "FINDSUB_LINES", "Header": "X-Num",
      "Regex1": "[0-9]+", "Output": "N"})");
  EXPECT_EQ(ApplyTo(chain, SimpleRequest("X-Num: 1,22;333\nX-Num: none\nx-num: 4")),
            SimpleRequest("X-Num: N,N;N\nX-Num: none\nx-num: N"));
}

TEST(ApplyFindSubTest, ReferencesToGroups) {
  const ProfileChain chain = Defs(R"({"ReplaceType": "FINDSUB_LINES", "Header": "P-Asserted-Identity",
      "Regex1": "sip:\\+1([0-9]{3})([0-9]+)@", "Output": "sip:\\1-\\2@(\\0)\\\\"})");
  EXPECT_EQ(ApplyTo(chain, SimpleRequest("P-Asserted-Identity: <sip:+15551230001@h>")),
            SimpleRequest("P-Asserted-Identity: <sip:555-1230001@(sip:+15551230001@)\\h>"));
}

TEST(ApplyFindSubTest, Regex2ReplacesOnlyInsideRegex1Matches) {
  const ProfileChain chain = Defs(R"({"ReplaceType": "FINDSUB_LINES", "Header": "X-List",
      "Regex1": "b=[0-9,]+", "RegEx2": "[0-9]+", "Output": "#"})");
  EXPECT_EQ(ApplyTo(chain, SimpleRequest("X-List: a=1,2;b=3,44;c=5;b=6")),
            SimpleRequest("X-List: a=1,2;b=#,#;c=5;b=#"));
}

TEST(ApplyFindSubTest, GuardDecidesEachMatch) {
  const ProfileChain chain = Defs(R"({"ReplaceType": "FINDSUB_LINES", "Header": "X-List",
      "Regex1": "[0-9]+", "Operator": "GE", "RightOperand": 100, "Output": "big"})");
  EXPECT_EQ(ApplyTo(chain, SimpleRequest("X-List: 5,100,99,1800")),
            SimpleRequest("X-List: 5,big,99,big"));
  // A guard that never holds leaves the line as it was received.
  const ProfileChain never = Defs(R"({"ReplaceType": "FINDSUB_LINES", "Header": "X-List",
      "Regex1": "[0-9]+", "Operator": "EQ", "RightOperand": "7", "Output": "seven"})");
  const std::string in = SimpleRequest("X-List:   5,100");
  ApplyResult r;
  EXPECT_EQ(ApplyTo(never, in, &r), in);
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(r.rules_applied, 1u);
}

TEST(ApplyFindSubTest, NumericHalvesWithAFloor) {
  const ProfileChain chain = Defs(R"({"ReplaceType": "FINDSUB_LINES", "Header": "Session-Expires",
      "Regex1": "^[0-9]+", "Numeric": {"Divide": 2, "Min": 90}})");
  EXPECT_EQ(ApplyTo(chain, SimpleRequest("Session-Expires: 1801;refresher=uac")),
            SimpleRequest("Session-Expires: 900;refresher=uac"));
  EXPECT_EQ(ApplyTo(chain, SimpleRequest("x: 120")), SimpleRequest("x: 90"));
  const ProfileChain affine = Defs(R"({"ReplaceType": "FINDSUB_LINES", "Header": "X-N",
      "Regex1": "-?[0-9a-f]+", "Numeric": {"Multiply": 3, "Add": -1, "Max": 100}})");
  EXPECT_EQ(ApplyTo(affine, SimpleRequest("X-N: 7 -7 50 ab")),
            SimpleRequest("X-N: 20 -22 100 ab"));
}

TEST(ApplyFindSubTest, EmptyMatchesAdvanceLikeGlobalReplace) {
  const char* const kLines[] = {"abc", "", "xax", "bbb", "a\xc3\xa9z"};
  for (const char* pattern : {"x*", "b*", "(?:)"}) {
    const ProfileChain chain = Defs(R"({"ReplaceType": "FINDSUB_LINES", "Header": "X-E",
        "Regex1": ")" + std::string(pattern) + R"(", "Output": "-"})");
    for (const char* line : kLines) {
      std::string expected = line;
      RE2::GlobalReplace(&expected, pattern, "-");
      EXPECT_EQ(ApplyTo(chain, SimpleRequest("X-E: " + std::string(line))),
                SimpleRequest("X-E: " + expected))
          << pattern << " on \"" << line << "\"";
    }
  }
}

TEST(ApplyFindSubTest, UnchangedValueKeepsTheLineAsReceived) {
  // Replacing a match by itself is no change: the odd spacing survives.
  const ProfileChain chain = Defs(R"({"ReplaceType": "FINDSUB_LINES", "Header": "Allow",
      "Regex1": "INVITE", "Output": "\\0"})");
  const std::string in = SimpleRequest("Allow:INVITE ,  BYE");
  ApplyResult r;
  EXPECT_EQ(ApplyTo(chain, in, &r), in);
  EXPECT_FALSE(r.changed);
}

TEST(ApplyDeleteLinesTest, AllLinesOrThoseMatching) {
  const std::string in = SimpleRequest("X-A: 1\nSupported: timer\nX-A: 2\nx-a: 12");
  EXPECT_EQ(ApplyTo(Defs(R"({"ReplaceType": "DELETE_LINES", "Header": "X-A"})"), in),
            SimpleRequest("Supported: timer"));
  EXPECT_EQ(ApplyTo(Defs(R"({"ReplaceType": "DELETE_LINES", "Header": "X-A",
                             "Regex1": "2"})"), in),
            SimpleRequest("X-A: 1\nSupported: timer"));
}

TEST(ApplyReplaceLinesTest, WholeValueWithOrWithoutRegex) {
  const std::string in = SimpleRequest("User-Agent: PBX 1.0\nUser-Agent: phone/2.3");
  EXPECT_EQ(ApplyTo(Defs(R"({"ReplaceType": "REPLACE_LINES", "Header": "User-Agent",
                             "Output": "smc"})"), in),
            SimpleRequest("User-Agent: smc\nUser-Agent: smc"));
  EXPECT_EQ(ApplyTo(Defs(R"j({"ReplaceType": "REPLACE_LINES", "Header": "User-Agent",
                             "Regex1": "([a-z]+)/([0-9.]+)", "Output": "\\2 (\\1)"})j"), in),
            SimpleRequest("User-Agent: PBX 1.0\nUser-Agent: 2.3 (phone)"));
}

TEST(ApplyAddLineTest, LastAfterTheHeaderElseEndOfSection) {
  const ProfileChain last = Defs(R"({"ReplaceType": "ADD_LINE", "Header": "Supported",
      "Output": "100rel"})");
  EXPECT_EQ(ApplyTo(last, SimpleRequest("k: timer\nX-B: 1\nSupported: path\nX-C: 2")),
            SimpleRequest("k: timer\nX-B: 1\nSupported: path\nSupported: 100rel\nX-C: 2"));
  EXPECT_EQ(ApplyTo(last, SimpleRequest("")), SimpleRequest("", "Supported: 100rel"));
}

TEST(ApplyAddLineTest, FirstBeforeTheHeaderElseRightAfterStartLine) {
  const ProfileChain first = Defs(R"({"ReplaceType": "ADD_LINE", "Header": "Supported",
      "Position": "FIRST", "Output": "100rel"})");
  EXPECT_EQ(ApplyTo(first, SimpleRequest("X-B: 1\nk: timer\nSupported: path")),
            SimpleRequest("X-B: 1\nSupported: 100rel\nk: timer\nSupported: path"));
  EXPECT_EQ(ApplyTo(first, SimpleRequest("")),
            Wire("OPTIONS sip:gw@10.0.0.2 SIP/2.0\nSupported: 100rel\n"
                 "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\n"
                 "From: <sip:a@10.0.0.1>;tag=1\nTo: <sip:gw@10.0.0.2>\nCall-ID: c1\n"
                 "CSeq: 1 OPTIONS\nContent-Length: 0"));
}

TEST(ApplyAddLineTest, OutputIsLiteral) {
  const ProfileChain chain = Defs(R"({"ReplaceType": "ADD_LINE", "Header": "X-Path",
      "Output": "a\\b"})");
  EXPECT_EQ(ApplyTo(chain, SimpleRequest("")), SimpleRequest("", "X-Path: a\\b"));
}

TEST(ApplyRequestUriTest, RewrittenOnRequestsOnly) {
  const ProfileChain chain = Defs(R"({"ReplaceType": "FINDSUB_LINES", "Scope": "REQUEST_URI",
      "Regex1": "^sip:\\+1", "Output": "sip:"})");
  std::string expected = Wire(InviteHead("", ""), kSdp);
  expected.replace(0, std::string_view("INVITE sip:+1").size(), "INVITE sip:");
  EXPECT_EQ(ApplyTo(chain, Wire(InviteHead("", ""), kSdp)), expected);
  const std::string ok = Wire(ResponseHead("200 OK", "", ""), kSdp);
  EXPECT_EQ(ApplyTo(chain, ok), ok);
}

// ---------------------------------------------------------------------------------------
// Body and Content-Length.

TEST(ApplyBodyTest, HeaderRuleNeverTouchesHeaderLikeBodyText) {
  const std::string frag = "SIP/2.0 200 OK\r\nSession-Expires: 1800;refresher=uac\r\n"
                           "Allow: INVITE,UPDATE\r\n";
  const std::string head =
      "NOTIFY sip:a@10.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK2\n"
      "From: <sip:b@10.0.0.2>;tag=9\nTo: <sip:a@10.0.0.1>;tag=1\nCall-ID: c2\nCSeq: 2 NOTIFY\n"
      "Event: refer\nSession-Expires: 1800;refresher=uac\n"
      "Content-Type: message/sipfrag;version=2.0\nContent-Length: @LEN@";
  const ProfileChain chain(Compile(R"({"ProfileID": 1, "ProfileName": "t", "Rules": [{
      "Action": "REPLACE_MSG", "ReplaceDefs": [
        {"ReplaceType": "FINDSUB_LINES", "Header": "Allow", "Regex1": ",UPDATE", "Output": ""},
        {"ReplaceType": "DELETE_LINES", "Header": "Session-Expires"}]}]})"));
  std::string expected_head = head;
  expected_head.erase(expected_head.find("Session-Expires: 1800;refresher=uac\n"),
                      std::string_view("Session-Expires: 1800;refresher=uac\n").size());
  EXPECT_EQ(ApplyTo(chain, Wire(head, frag)), Wire(expected_head, frag));
}

TEST(ApplyBodyTest, BodyEditRecomputesContentLength) {
  const ProfileChain chain(Compile(R"({"ProfileID": 1, "ProfileName": "t", "Rules": [{
      "Action": "REPLACE_MSG", "ReplaceDefs": [
        {"ReplaceType": "DELETE_LINES", "Scope": "BODY", "Regex1": "^a=rtpmap:101 "},
        {"ReplaceType": "FINDSUB_LINES", "Scope": "BODY", "Regex1": "^m=audio ([0-9]+) RTP/AVP 0 101$",
         "Output": "m=audio \\1 RTP/AVP 0"},
        {"ReplaceType": "FINDSUB_LINES", "Scope": "BODY", "Regex1": "^a=sendrecv$",
         "Output": "a=inactive"},
        {"ReplaceType": "ADD_LINE", "Scope": "BODY", "Output": "a=ptime:20"}]}]})"));
  const std::string sdp_out =
      "v=0\r\n"
      "o=- 2890844527 2890844527 IN IP4 10.0.0.2\r\n"
      "s=-\r\n"
      "c=IN IP4 10.0.0.2\r\n"
      "t=0 0\r\n"
      "m=audio 49170 RTP/AVP 0\r\n"
      "a=rtpmap:0 PCMU/8000\r\n"
      "a=inactive\r\n"
      "a=ptime:20\r\n";
  EXPECT_EQ(ApplyTo(chain, Wire(InviteHead("", ""), kSdp)), Wire(InviteHead("", ""), sdp_out));
  // A compact Content-Length keeps its name.
  std::string compact_in = Wire(InviteHead("", ""), kSdp);
  std::string compact_out = Wire(InviteHead("", ""), sdp_out);
  compact_in.replace(compact_in.find("Content-Length:"), 15, "l:");
  compact_out.replace(compact_out.find("Content-Length:"), 15, "l:");
  EXPECT_EQ(ApplyTo(chain, compact_in), compact_out);
}

TEST(ApplyBodyTest, LineEndsOfTheBodyAreKept) {
  const ProfileChain chain(Compile(R"({"ProfileID": 1, "ProfileName": "t", "Rules": [{
      "Action": "REPLACE_MSG", "ReplaceDefs": [
        {"ReplaceType": "REPLACE_LINES", "Scope": "BODY", "Regex1": "^s=", "Output": "s=smc"},
        {"ReplaceType": "ADD_LINE", "Scope": "BODY", "Output": "a=end"}]}]})"));
  const std::string head = "MESSAGE sip:a@h SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK3\n"
                           "From: <sip:b@h>;tag=2\nTo: <sip:a@h>\nCall-ID: c3\nCSeq: 3 MESSAGE\n"
                           "Content-Type: text/plain\nContent-Length: @LEN@";
  EXPECT_EQ(ApplyTo(chain, Wire(head, "v=0\ns=-\nt=0 0\n")),
            Wire(head, "v=0\ns=smc\nt=0 0\na=end\n"));
  // Without a final line end, the added line is not given one either.
  EXPECT_EQ(ApplyTo(chain, Wire(head, "v=0\r\ns=-")), Wire(head, "v=0\r\ns=smc\r\na=end"));
}

// ---------------------------------------------------------------------------------------
// Sequencing: every rule sees the edits before it.

TEST(ApplySequenceTest, LaterRuleSeesDeletionAndAddition) {
  const ProfileChain chain(Compile(R"({"ProfileID": 1, "ProfileName": "t", "Rules": [
      {"Conditions": [{"Header": "X-Step", "Operator": "EXISTS"}], "Action": "REPLACE_MSG",
       "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "X-Step2", "Output": "late"}]},
      {"Action": "REPLACE_MSG",
       "ReplaceDefs": [{"ReplaceType": "DELETE_LINES", "Header": "Session-Expires"},
                       {"ReplaceType": "ADD_LINE", "Header": "X-Step", "Output": "1"}]},
      {"Conditions": [{"Header": "Session-Expires", "Operator": "NOT_EXISTS"}],
       "Action": "REPLACE_MSG",
       "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Session-Expires", "Output": "600"}]},
      {"Conditions": [{"Header": "X-Step", "Operator": "EQ", "RightOperand": "1"}],
       "Action": "REPLACE_MSG",
       "ReplaceDefs": [{"ReplaceType": "FINDSUB_LINES", "Header": "X-Step", "Regex1": "1",
                        "Output": "2"}]}]})"));
  ApplyResult r;
  // Rule 0 ran before X-Step existed: it does not apply.
  EXPECT_EQ(ApplyTo(chain, SimpleRequest("x: 1800"), &r),
            SimpleRequest("", "X-Step: 2\nSession-Expires: 600"));
  EXPECT_EQ(r.rules_applied, 3u);
}

TEST(ApplySequenceTest, ProfilesInSequenceActAsOneList) {
  std::vector<ProfilePtr> profiles = Compile(R"([
      {"ProfileID": "a", "ProfileName": "add", "Rules": [{"Action": "REPLACE_MSG",
        "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "X-Trunk", "Output": "in-7"}]}]},
      {"ProfileID": "b", "ProfileName": "use", "Rules": [{"Action": "REPLACE_MSG",
        "Conditions": [{"Header": "x-trunk", "Regex1": "[0-9]+", "Operator": "EQ",
                        "RightOperand": "7"}],
        "ReplaceDefs": [{"ReplaceType": "FINDSUB_LINES", "Header": "X-TRUNK", "Regex1": "in",
                         "Output": "out"}]}]}])");
  ASSERT_EQ(profiles.size(), 2u);
  const ProfileChain together(profiles);
  const std::string expected = SimpleRequest("", "X-Trunk: out-7");
  EXPECT_EQ(ApplyTo(together, SimpleRequest("")), expected);
  // Chained by hand, one after the other, the result is the same.
  SipMessage m = Parse(SimpleRequest(""));
  ProfileChain({profiles[0]}).Apply(m);
  ProfileChain({profiles[1]}).Apply(m);
  EXPECT_EQ(m.Serialize(), expected);
  // In the other order the condition sees no X-Trunk yet.
  const ProfileChain reversed({profiles[1], profiles[0]});
  EXPECT_EQ(ApplyTo(reversed, SimpleRequest("")), SimpleRequest("", "X-Trunk: in-7"));
}

// ---------------------------------------------------------------------------------------
// What identifies a dialog.

TEST(ApplyTagGuardTest, FromRewriteThatWouldChangeTheTagIsRefused) {
  const ProfileChain chain = Defs(R"({"ReplaceType": "FINDSUB_LINES", "Header": "From",
      "Regex1": "1234", "Output": "5678"})");
  const std::string head =
      "INVITE sip:b@h SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK4\n"
      "From: <sip:1234@h>;tag=x1234\nTo: <sip:1234@h>\nCall-ID: c4\nCSeq: 4 INVITE\n"
      "Content-Length: 0";
  ApplyResult r;
  EXPECT_EQ(ApplyTo(chain, Wire(head), &r), Wire(head));
  EXPECT_EQ(r.edits_refused, 1u);
  EXPECT_FALSE(r.changed);

  // A tag the match does not reach: the URI is rewritten.
  const std::string ok_head =
      "INVITE sip:b@h SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK4\n"
      "f: \"1234\" <sip:1234@h;user=phone>;TAG=abc\nTo: <sip:1234@h>\nCall-ID: c4\n"
      "CSeq: 4 INVITE\nContent-Length: 0";
  std::string ok_expected = ok_head;
  ok_expected.replace(ok_expected.find("f: \"1234\" <sip:1234@h"),
                      std::string_view("f: \"1234\" <sip:1234@h").size(),
                      "f: \"5678\" <sip:5678@h");
  EXPECT_EQ(ApplyTo(chain, Wire(ok_head), &r), Wire(ok_expected));
  EXPECT_EQ(r.edits_refused, 0u);
  EXPECT_TRUE(r.changed);
}

TEST(ApplyTagGuardTest, ToWithoutTagMustNotGainOne) {
  const ProfileChain chain = Defs(R"({"ReplaceType": "FINDSUB_LINES", "Header": "To",
      "Regex1": ">$", "Output": ">;tag=forged"})");
  const std::string in = SimpleRequest("");
  ApplyResult r;
  ApplyOptions explain;
  explain.explain = true;
  EXPECT_EQ(ApplyTo(chain, in, &r, explain), in);
  EXPECT_EQ(r.edits_refused, 1u);
  ASSERT_EQ(r.events.size(), 1u);
  ASSERT_EQ(r.events[0].notes.size(), 1u);
  EXPECT_EQ(r.events[0].notes[0],
            R"(refused To: "<sip:gw@10.0.0.2>" -> "<sip:gw@10.0.0.2>;tag=forged": it would change the tag)");
}

// ---------------------------------------------------------------------------------------
// The chain object itself.

TEST(ProfileChainTest, EmptyAndMovedFromChainsChangeNothing) {
  const std::string in = SimpleRequest("X-A: 1");
  EXPECT_EQ(ApplyTo(ProfileChain(), in), in);
  ProfileChain chain = Defs(R"({"ReplaceType": "DELETE_LINES", "Header": "X-A"})");
  ProfileChain moved = std::move(chain);
  EXPECT_EQ(ApplyTo(moved, in), SimpleRequest(""));
  ProfileChain assigned;
  assigned = std::move(moved);
  EXPECT_EQ(ApplyTo(assigned, in), SimpleRequest(""));
  EXPECT_EQ(assigned.profiles().size(), 1u);
}

}  // namespace
}  // namespace smc
