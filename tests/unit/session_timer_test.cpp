// The RFC 4028 enforcer as the proxy drives it: realistic call flows through a trunk proxy
// (10.0.0.5) between a caller behind an upstream proxy (10.0.0.2) and a callee, with a
// fake clock. Each test names the item of /work/shared/notes/rfc4028.md it checks.
#include "smc/session_timer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "smc/clock.h"
#include "smc/profile.h"
#include "smc/session_timer_policy.h"
#include "smc/sip_message.h"

namespace smc {
namespace {

using std::chrono::seconds;
using Action = SessionTimerRequestVerdict::Action;
using ExpiryAction = SessionTimerPolicy::ExpiryAction;

constexpr std::string_view kCallId = "1035065748-0-3965751690@10.0.0.31";
constexpr std::string_view kCallerTag = "sansay2454621207rdb16213";
constexpr std::string_view kCalleeTag = "b4723183fs";
constexpr std::string_view kCallerAddr = "\"Alice\" <sip:+19055559083@10.0.0.32;isup-oli=00>";
constexpr std::string_view kCalleeAddr = "<sip:+14695558019@10.0.0.147>";
constexpr std::string_view kCallerContact = "sip:+19055559083@10.0.0.31:5060;transport=udp";
constexpr std::string_view kCalleeContact = "sip:+14695558019@10.0.0.147:5060";
constexpr std::string_view kOwnRecordRoute = "<sip:10.0.0.5;lr>";
constexpr std::string_view kUpstreamRecordRoute = "<sip:10.0.0.2;lr>";

constexpr std::string_view kSdp =
    "v=0\r\n"
    "o=- 3965751690 3965751690 IN IP4 10.0.0.31\r\n"
    "s=-\r\n"
    "c=IN IP4 10.0.0.31\r\n"
    "t=0 0\r\n"
    "m=audio 16384 RTP/AVP 0 18 101\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n";

// Lines written with "\n" become CRLF lines; a blank line ends the header section.
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
  out.append("Content-Length: " + std::to_string(body.size()) + "\r\n\r\n");
  out.append(body);
  return out;
}

SipMessage Parse(const std::string& wire) {
  std::string error;
  std::optional<SipMessage> m = SipMessage::Parse(wire, &error);
  EXPECT_TRUE(m.has_value()) << error << "\n" << wire;
  return m ? std::move(*m) : *SipMessage::Parse("OPTIONS sip:x SIP/2.0\r\n\r\n");
}

std::string S(std::string_view v) { return std::string(v); }

std::string CallerFrom() { return S(kCallerAddr) + ";tag=" + S(kCallerTag); }
std::string CalleeTo() { return S(kCalleeAddr) + ";tag=" + S(kCalleeTag); }

// The first value of a header, or "<absent>".
std::string Value(const SipMessage& m, HeaderId id) {
  size_t i = m.FindHeader(id);
  return i == SipMessage::npos ? "<absent>" : std::string(m.header_value(i));
}

size_t CountLines(const SipMessage& m, HeaderId id) {
  size_t n = 0;
  for (size_t i = m.FindHeader(id); i != SipMessage::npos; i = m.FindHeader(id, i + 1)) ++n;
  return n;
}

// `st` holds the session-timer lines of a message ("Supported: timer\nSession-Expires: 90\n").
SipMessage InitialInvite(std::string_view st, uint32_t cseq = 1) {
  std::string head =
      "INVITE sip:+14695558019@10.0.0.5:5060 SIP/2.0\n"
      "Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK-up-" + std::to_string(cseq) + "\n"
      "Via: SIP/2.0/UDP 10.0.0.31:5060;branch=z9hG4bK-uac-" + std::to_string(cseq) + "\n"
      "Max-Forwards: 69\n"
      "Record-Route: " + S(kUpstreamRecordRoute) + "\n"
      "From: " + CallerFrom() + "\n"
      "To: " + S(kCalleeAddr) + "\n"
      "Call-ID: " + S(kCallId) + "\n"
      "CSeq: " + std::to_string(cseq) + " INVITE\n"
      "Contact: <" + S(kCallerContact) + ">\n"
      "Allow: INVITE, ACK, CANCEL, BYE, UPDATE, OPTIONS\n" + S(st) +
      "Content-Type: application/sdp";
  return Parse(Wire(head, kSdp));
}

// A request inside the confirmed dialog, from the caller or from the callee.
SipMessage InDialogRequest(std::string_view method, DialogSide from, uint32_t cseq,
                           std::string_view st = "", std::string_view contact = "") {
  const bool caller = from == DialogSide::kCaller;
  std::string head = S(method) + " " +
      S(caller ? kCalleeContact : kCallerContact) + " SIP/2.0\n"
      "Via: SIP/2.0/UDP " + (caller ? "10.0.0.2:5060" : "10.0.0.147:5060") +
      ";branch=z9hG4bK-" + S(method) + std::to_string(cseq) + "\n"
      "Route: " + S(kOwnRecordRoute) + "\n"
      "Max-Forwards: 70\n"
      "From: " + (caller ? CallerFrom() : CalleeTo()) + "\n"
      "To: " + (caller ? CalleeTo() : CallerFrom()) + "\n"
      "Call-ID: " + S(kCallId) + "\n"
      "CSeq: " + std::to_string(cseq) + " " + S(method) + "\n"
      "Contact: <" + S(contact.empty() ? (caller ? kCallerContact : kCalleeContact) : contact) +
      ">\n" + S(st);
  return Parse(Wire(head.substr(0, head.size() - (head.back() == '\n' ? 1 : 0))));
}

// A response to a request sent by `requester`. `record_route` is written as is (the 2xx to
// the initial INVITE carries the path's Record-Route lines).
SipMessage Response(int code, std::string_view reason, std::string_view method, uint32_t cseq,
                    DialogSide requester, std::string_view st = "",
                    std::string_view record_route = "") {
  const bool caller = requester == DialogSide::kCaller;
  std::string head = "SIP/2.0 " + std::to_string(code) + " " + S(reason) + "\n"
      "Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-smc-" + std::to_string(cseq) + "\n" +
      S(record_route) +
      "From: " + (caller ? CallerFrom() : CalleeTo()) + "\n"
      "To: " + (caller ? CalleeTo() : CallerFrom()) + "\n"
      "Call-ID: " + S(kCallId) + "\n"
      "CSeq: " + std::to_string(cseq) + " " + S(method) + "\n";
  if (code < 300) {
    head += "Contact: <" + S(caller ? kCalleeContact : kCallerContact) + ">\n";
  }
  head += S(st);
  head.pop_back();
  return Parse(Wire(head));
}

// The Record-Route lines of the 2xx to the initial INVITE: two proxies past ours (the one
// nearest the callee on top, both on one line), ours, the caller's upstream proxy.
constexpr std::string_view kPathRecordRoute =
    "Record-Route: <sip:d2.trunk.example;lr>, <sip:d1.trunk.example;lr;ftag=x>\n"
    "Record-Route: <sip:10.0.0.5;lr>\n"
    "Record-Route: <sip:10.0.0.2;lr>\n";

SipMessage Ok(std::string_view method, uint32_t cseq, DialogSide requester,
              std::string_view st = "", bool initial = false) {
  return Response(200, "OK", method, cseq, requester, st, initial ? kPathRecordRoute : "");
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

ProfileChain ChainFromFile(const std::string& relative) {
  CompileResult r = CompileProfiles(ReadFile(std::string(SMC_SOURCE_DIR) + "/" + relative),
                                    relative);
  for (const Diagnostic& d : r.diagnostics) {
    if (d.severity == Severity::kError) ADD_FAILURE() << FormatDiagnostic(d);
  }
  return ProfileChain(r.profiles);
}

class SessionTimerTest : public ::testing::Test {
 protected:
  SessionTimerTest() : enforcer_(clock_) {
    policy_.enabled = true;
    policy_.min_se = 1800;
    policy_.session_expires = 1800;
    clock_.Advance(std::chrono::hours(1));  // not the epoch: deadlines must be relative
  }

  // The proxy's request path: enforcer, then its own Record-Route on a dialog-creating
  // INVITE, then NoteForwarded with the message as sent.
  SessionTimerRequestVerdict Send(SipMessage& request) {
    SessionTimerRequestVerdict v = enforcer_.OnRequest(policy_, request);
    if (v.action == Action::kForward) {
      if (request.method() == "INVITE" && !request.HasHeader(HeaderId::kRoute)) {
        request.InsertHeader(request.FindHeader(HeaderId::kRecordRoute), "Record-Route",
                             kOwnRecordRoute);
      }
      enforcer_.NoteForwarded(request);
    }
    return v;
  }

  SessionTimerResponseVerdict Relay(SipMessage& response) {
    SessionTimerResponseVerdict v = enforcer_.OnResponse(response);
    enforcer_.NoteForwarded(response);
    return v;
  }

  // An established call: INVITE with `invite_st`, 200 with `ok_st`.
  void Establish(std::string_view invite_st, std::string_view ok_st) {
    SipMessage invite = InitialInvite(invite_st);
    ASSERT_EQ(Send(invite).action, Action::kForward);
    SipMessage ok = Ok("INVITE", 1, DialogSide::kCaller, ok_st, /*initial=*/true);
    Relay(ok);
    answered_at_ = clock_.Now();
  }

  std::optional<SessionTimerSessionInfo> Session() const {
    return enforcer_.FindSession(kCallId, kCallerTag);
  }

  std::vector<SessionTimerExpiry> ExpireAt(std::chrono::steady_clock::duration after_answer) {
    clock_.Set(answered_at_ + after_answer);
    return enforcer_.CollectExpired(clock_.Now());
  }

  FakeClock clock_;
  SessionTimerPolicy policy_;
  SessionTimerEnforcer enforcer_;
  Clock::time_point answered_at_;
};

// --- Requests: RFC 4028 8.1 (items 1-10) ---

TEST_F(SessionTimerTest, Item7_TooSmallFromTimerCapableUacGets422WithProxyMinSe) {
  SipMessage invite = InitialInvite("Supported: timer\nSession-Expires: 90\n");
  SessionTimerRequestVerdict v = enforcer_.OnRequest(policy_, invite);
  EXPECT_EQ(v.action, Action::kReject);
  EXPECT_EQ(v.min_se, 1800u);  // item 3: the 422 carries the proxy's Min-SE
  EXPECT_FALSE(invite.modified());
  EXPECT_EQ(enforcer_.dialog_count(), 0u);  // nothing kept for a rejected INVITE
  EXPECT_EQ(enforcer_.counters().rejected, 1u);
}

TEST_F(SessionTimerTest, Item1_NoMinimumBelow90WhateverThePolicySays) {
  policy_.min_se = 30;  // refused by the configuration; the enforcer still never goes below 90
  policy_.session_expires = 30;
  SipMessage invite = InitialInvite("Supported: timer\nSession-Expires: 60\n");
  SessionTimerRequestVerdict v = enforcer_.OnRequest(policy_, invite);
  EXPECT_EQ(v.action, Action::kReject);
  EXPECT_EQ(v.min_se, 90u);

  SipMessage absent = InitialInvite("", 2);
  Send(absent);
  EXPECT_EQ(Value(absent, HeaderId::kSessionExpires), "90");
}

TEST_F(SessionTimerTest, Item8_TooSmallWithoutTimerSupportIsRaisedNever422) {
  SipMessage invite = InitialInvite("Session-Expires: 90\n");
  SessionTimerRequestVerdict v = Send(invite);
  EXPECT_EQ(v.action, Action::kForward);
  EXPECT_EQ(v.edit, SessionExpiresEdit::kRaised);
  EXPECT_EQ(Value(invite, HeaderId::kSessionExpires), "1800");
  EXPECT_EQ(Value(invite, HeaderId::kMinSE), "1800");  // inserted: absent counted as 90
  EXPECT_FALSE(invite.HasHeader(HeaderId::kSupported));
  EXPECT_EQ(enforcer_.counters().raised, 1u);
}

TEST_F(SessionTimerTest, Item8_MinSeIsRaisedNeverLowered) {
  SipMessage low = InitialInvite("Session-Expires: 120\nMin-SE: 120\n");
  Send(low);
  EXPECT_EQ(Value(low, HeaderId::kMinSE), "1800");
  EXPECT_EQ(Value(low, HeaderId::kSessionExpires), "1800");

  policy_.min_se = 600;
  SipMessage high = InitialInvite("Session-Expires: 300\nMin-SE: 300\n", 2);
  Send(high);
  EXPECT_EQ(Value(high, HeaderId::kMinSE), "600");
  EXPECT_EQ(Value(high, HeaderId::kSessionExpires), "600");
}

TEST_F(SessionTimerTest, Item8_RaisedSessionExpiresMatchesAHigherRequestMinSe) {
  policy_.min_se = 600;
  // SE 300 is below the proxy's 600; the UAC's own Min-SE of 2000 is kept and SE follows it.
  SipMessage invite = InitialInvite("Session-Expires: 300\nMin-SE: 2000\n");
  Send(invite);
  EXPECT_EQ(Value(invite, HeaderId::kMinSE), "2000");
  EXPECT_EQ(Value(invite, HeaderId::kSessionExpires), "2000");
}

TEST_F(SessionTimerTest, Item7_RejectTooSmallOffRaisesInsteadOf422) {
  policy_.reject_too_small = false;
  SipMessage invite = InitialInvite("Supported: timer\nSession-Expires: 90\n");
  SessionTimerRequestVerdict v = Send(invite);
  EXPECT_EQ(v.action, Action::kForward);
  EXPECT_EQ(Value(invite, HeaderId::kSessionExpires), "1800");
  EXPECT_EQ(Value(invite, HeaderId::kMinSE), "1800");
  EXPECT_EQ(enforcer_.counters().rejected, 0u);
}

TEST_F(SessionTimerTest, Item9_AcceptableRequestFromTimerCapableUacIsUntouched) {
  SipMessage invite = InitialInvite("Supported: timer, 100rel\nSession-Expires: 3600\n");
  const std::string before = invite.Serialize();
  SessionTimerRequestVerdict v = enforcer_.OnRequest(policy_, invite);
  EXPECT_EQ(v.action, Action::kForward);
  EXPECT_FALSE(v.changed);
  EXPECT_EQ(invite.Serialize(), before);  // no Min-SE added, SE >= min_se never raised
}

TEST_F(SessionTimerTest, Item5_AbsentSessionExpiresIsInsertedWithoutRefresher) {
  SipMessage invite = InitialInvite("Supported: timer\n");
  SessionTimerRequestVerdict v = Send(invite);
  EXPECT_EQ(v.edit, SessionExpiresEdit::kInserted);
  EXPECT_EQ(Value(invite, HeaderId::kSessionExpires), "1800");
  EXPECT_FALSE(invite.HasHeader(HeaderId::kMinSE));  // item 9
  EXPECT_EQ(Value(invite, HeaderId::kSupported), "timer");  // Supported untouched
  EXPECT_EQ(enforcer_.counters().inserted, 1u);
}

TEST_F(SessionTimerTest, Item5_InsertedValueIsAtLeastTheRequestMinSe) {
  SipMessage invite = InitialInvite("Min-SE: 3600\n");
  Send(invite);
  EXPECT_EQ(Value(invite, HeaderId::kSessionExpires), "3600");
  EXPECT_EQ(Value(invite, HeaderId::kMinSE), "3600");
}

TEST_F(SessionTimerTest, Item5_InsertionCanBeSwitchedOff) {
  policy_.insert_when_absent = false;
  SipMessage invite = InitialInvite("Supported: timer\n");
  SessionTimerRequestVerdict v = Send(invite);
  EXPECT_FALSE(v.changed);
  EXPECT_FALSE(invite.HasHeader(HeaderId::kSessionExpires));
}

TEST_F(SessionTimerTest, Item6_LoweredAboveMaximumButNeverBelowMinSe) {
  policy_.max_session_expires = 3600;
  SipMessage invite = InitialInvite("Supported: timer\nSession-Expires: 7200;refresher=uac\n");
  SessionTimerRequestVerdict v = Send(invite);
  EXPECT_EQ(v.edit, SessionExpiresEdit::kLowered);
  EXPECT_EQ(Value(invite, HeaderId::kSessionExpires), "3600;refresher=uac");
  EXPECT_EQ(enforcer_.counters().lowered, 1u);

  SipMessage floor = InitialInvite("Supported: timer\nSession-Expires: 7200\nMin-SE: 5000\n", 2);
  Send(floor);
  EXPECT_EQ(Value(floor, HeaderId::kSessionExpires), "5000");
  EXPECT_EQ(Value(floor, HeaderId::kMinSE), "5000");
}

TEST_F(SessionTimerTest, Item6_NeverRaisesASessionExpiresAlreadyAtLeastMinSe) {
  policy_.session_expires = 7200;  // what the proxy would insert: irrelevant when SE is there
  SipMessage invite = InitialInvite("Session-Expires: 1800\n");
  SessionTimerRequestVerdict v = Send(invite);
  EXPECT_FALSE(v.changed);
  EXPECT_EQ(Value(invite, HeaderId::kSessionExpires), "1800");
}

TEST_F(SessionTimerTest, Item2_CompactFormAndUnknownParametersArePreserved) {
  SipMessage rejected = InitialInvite("k: timer\nx: 90\n");
  EXPECT_EQ(enforcer_.OnRequest(policy_, rejected).action, Action::kReject);

  SipMessage raised = InitialInvite("x: 90;foo=bar;refresher=UAC\n", 2);
  EXPECT_EQ(Send(raised).edit, SessionExpiresEdit::kRaised);
  const std::string wire = raised.Serialize();
  EXPECT_NE(wire.find("\r\nx: 1800;foo=bar;refresher=UAC\r\n"), std::string::npos) << wire;
  EXPECT_EQ(CountLines(raised, HeaderId::kSessionExpires), 1u);
}

TEST_F(SessionTimerTest, Item2_RefresherParameterIsCaseInsensitive) {
  Establish("Supported: timer\nSession-Expires: 1800\n", "Session-Expires: 1800;Refresher=UAS\n");
  ASSERT_TRUE(Session());
  EXPECT_EQ(Session()->refresher, DialogSide::kCallee);
}

TEST_F(SessionTimerTest, MalformedSessionExpiresIsNeitherRejectedNorRewritten) {
  SipMessage invite = InitialInvite("Supported: timer\nSession-Expires: soon\n");
  SessionTimerRequestVerdict v = enforcer_.OnRequest(policy_, invite);
  EXPECT_EQ(v.action, Action::kForward);
  EXPECT_FALSE(invite.modified());
  EXPECT_EQ(enforcer_.counters().anomalies, 1u);
}

TEST_F(SessionTimerTest, Item10_RetryWithLargestMinSeAfter422Passes) {
  SipMessage first = InitialInvite("Supported: timer\nSession-Expires: 90\n");
  SessionTimerRequestVerdict v = enforcer_.OnRequest(policy_, first);
  ASSERT_EQ(v.action, Action::kReject);
  // The UAC retries with the Min-SE of the 422 and a Session-Expires to match.
  SipMessage retry = InitialInvite(
      "Supported: timer\nSession-Expires: " + std::to_string(v.min_se) +
          "\nMin-SE: " + std::to_string(v.min_se) + "\n",
      2);
  SessionTimerRequestVerdict second = Send(retry);
  EXPECT_EQ(second.action, Action::kForward);
  EXPECT_FALSE(second.changed);
  EXPECT_EQ(enforcer_.dialog_count(), 1u);
}

TEST_F(SessionTimerTest, Item10_422FromDownstreamEndsTheAttemptAndTheRetryIsTracked) {
  SipMessage invite = InitialInvite("Supported: timer\nSession-Expires: 1800\n");
  Send(invite);
  SipMessage too_small = Response(422, "Session Interval Too Small", "INVITE", 1,
                                  DialogSide::kCaller, "Min-SE: 3600\n");
  SessionTimerResponseVerdict v = Relay(too_small);
  EXPECT_FALSE(v.changed);  // relayed upstream as is
  EXPECT_EQ(enforcer_.dialog_count(), 0u);

  SipMessage retry =
      InitialInvite("Supported: timer\nSession-Expires: 3600\nMin-SE: 3600\n", 2);
  EXPECT_EQ(Send(retry).action, Action::kForward);
  SipMessage ok = Ok("INVITE", 2, DialogSide::kCaller, "Session-Expires: 3600;refresher=uac\n",
                     true);
  EXPECT_TRUE(Relay(ok).armed);
}

TEST_F(SessionTimerTest, DisabledPolicyEditsNothingAndTracksNothing) {
  policy_.enabled = false;
  SipMessage invite = InitialInvite("Supported: timer\nSession-Expires: 90\n");
  SessionTimerRequestVerdict v = Send(invite);
  EXPECT_EQ(v.action, Action::kForward);
  EXPECT_FALSE(v.changed);
  EXPECT_EQ(enforcer_.dialog_count(), 0u);
  EXPECT_FALSE(enforcer_.NextDeadline());
}

// --- Responses: RFC 4028 8.2 (items 11-14) ---

TEST_F(SessionTimerTest, Item11_IntervalAndRefresherComeFromThe2xx) {
  SipMessage invite = InitialInvite("Supported: timer\nSession-Expires: 3600\n");
  Send(invite);
  SipMessage ok = Ok("INVITE", 1, DialogSide::kCaller,
                     "Require: timer\nSession-Expires: 2400;refresher=uas\n", true);
  const std::string before = ok.Serialize();
  SessionTimerResponseVerdict v = Relay(ok);
  EXPECT_TRUE(v.armed);
  EXPECT_FALSE(v.changed);
  EXPECT_EQ(ok.Serialize(), before);  // forwarded as is
  ASSERT_TRUE(Session());
  EXPECT_EQ(Session()->interval, 2400u);
  EXPECT_EQ(Session()->refresher, DialogSide::kCallee);
  EXPECT_EQ(enforcer_.NextDeadline(), clock_.Now() + seconds(2400));
  EXPECT_EQ(enforcer_.counters().sessions, 1u);
  EXPECT_EQ(enforcer_.counters().pending, 0u);
}

TEST_F(SessionTimerTest, Item12_2xxWithoutSeToTimerCapableUacGetsSeAndRequire) {
  SipMessage invite = InitialInvite("Supported: timer\n");
  Send(invite);  // the proxy asks for timers: SE 1800 inserted
  SipMessage ok = Ok("INVITE", 1, DialogSide::kCaller, "Require: 100rel\n", true);
  SessionTimerResponseVerdict v = Relay(ok);
  answered_at_ = clock_.Now();
  EXPECT_TRUE(v.changed);
  EXPECT_TRUE(v.armed);
  EXPECT_EQ(Value(ok, HeaderId::kSessionExpires), "1800;refresher=uac");
  EXPECT_EQ(Value(ok, HeaderId::kRequire), "100rel, timer");
  ASSERT_TRUE(Session());
  EXPECT_EQ(Session()->refresher, DialogSide::kCaller);
  EXPECT_EQ(enforcer_.counters().inserted_in_response, 1u);

  // A retransmission of that 2xx (the first may have been lost) is edited the same way,
  // without re-arming.
  clock_.Advance(seconds(4));
  SipMessage again = Ok("INVITE", 1, DialogSide::kCaller, "", true);
  SessionTimerResponseVerdict rv = Relay(again);
  EXPECT_TRUE(rv.changed);
  EXPECT_FALSE(rv.armed);
  EXPECT_EQ(Value(again, HeaderId::kSessionExpires), "1800;refresher=uac");
  EXPECT_EQ(Value(again, HeaderId::kRequire), "timer");
  EXPECT_EQ(Session()->expires_at, answered_at_ + seconds(1800));
}

TEST_F(SessionTimerTest, Item13_2xxWithoutSeToUacWithoutSupportDisarms) {
  SipMessage invite = InitialInvite("");
  Send(invite);  // SE inserted, but the UAC cannot refresh
  SipMessage ok = Ok("INVITE", 1, DialogSide::kCaller, "", true);
  SessionTimerResponseVerdict v = Relay(ok);
  EXPECT_FALSE(v.changed);
  EXPECT_TRUE(v.disarmed);
  EXPECT_FALSE(ok.HasHeader(HeaderId::kSessionExpires));
  EXPECT_EQ(enforcer_.dialog_count(), 0u);
  EXPECT_FALSE(enforcer_.NextDeadline());
  EXPECT_EQ(enforcer_.counters().disarmed, 1u);
  EXPECT_EQ(enforcer_.counters().sessions, 0u);
}

TEST_F(SessionTimerTest, Item14_UnaskedSessionExpiresIsAnAnomalyThatNeverTearsDown) {
  policy_.insert_when_absent = false;
  policy_.on_expiry = ExpiryAction::kBye;
  Establish("", "Session-Expires: 1800;refresher=uac\n");
  EXPECT_EQ(enforcer_.counters().anomalies, 1u);
  ASSERT_TRUE(Session());
  EXPECT_FALSE(Session()->bye_on_expiry);
  std::vector<SessionTimerExpiry> expired = ExpireAt(seconds(1800));
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].action, ExpiryAction::kForget);
  EXPECT_TRUE(expired[0].byes.empty());
}

TEST_F(SessionTimerTest, Item14_AnomalyIsReportedOnTheResponse) {
  policy_.insert_when_absent = false;
  SipMessage invite = InitialInvite("");
  Send(invite);
  SipMessage ok = Ok("INVITE", 1, DialogSide::kCaller, "Session-Expires: 1800;refresher=uac\n",
                     true);
  const std::string before = ok.Serialize();
  SessionTimerResponseVerdict v = Relay(ok);
  EXPECT_EQ(v.anomaly, SessionTimerAnomaly::kUnaskedSessionExpires);
  EXPECT_EQ(ok.Serialize(), before);
}

// --- Tracking and expiry (items 15-19) ---

TEST_F(SessionTimerTest, Item15_UpdateRefreshesFromTheTimeOfIts2xx) {
  Establish("Supported: timer\nSession-Expires: 1800\n", "Session-Expires: 1800;refresher=uac\n");
  clock_.Set(answered_at_ + seconds(900));
  SipMessage update = InDialogRequest("UPDATE", DialogSide::kCaller, 2,
                                      "Supported: timer\nSession-Expires: 1800;refresher=uac\n");
  Send(update);
  SipMessage ok = Ok("UPDATE", 2, DialogSide::kCaller, "Session-Expires: 1800;refresher=uac\n");
  EXPECT_TRUE(Relay(ok).armed);
  EXPECT_EQ(enforcer_.NextDeadline(), answered_at_ + seconds(900 + 1800));
  EXPECT_EQ(enforcer_.counters().refreshed, 1u);
  EXPECT_TRUE(ExpireAt(seconds(1800)).empty());  // the old deadline is gone
  EXPECT_EQ(ExpireAt(seconds(2700)).size(), 1u);
}

TEST_F(SessionTimerTest, Item15_ReInviteRefreshesWhateverItsPurpose) {
  Establish("Supported: timer\nSession-Expires: 1800\n", "Session-Expires: 1800;refresher=uac\n");
  clock_.Set(answered_at_ + seconds(300));
  // A hold re-INVITE, not meant as a refresh: still refreshes, with its own interval.
  SipMessage hold = InDialogRequest("INVITE", DialogSide::kCaller, 2,
                                    "Supported: timer\nSession-Expires: 2400;refresher=uac\n");
  Send(hold);
  SipMessage ok = Ok("INVITE", 2, DialogSide::kCaller, "Session-Expires: 2400;refresher=uac\n");
  Relay(ok);
  EXPECT_EQ(enforcer_.NextDeadline(), answered_at_ + seconds(300 + 2400));
  EXPECT_EQ(Session()->interval, 2400u);
}

TEST_F(SessionTimerTest, Item15_RefreshWhose2xxHasNoSeSwitchesTheTimerOff) {
  Establish("Session-Expires: 1800\n", "Session-Expires: 1800;refresher=uas\n");
  // The caller (no timer support) re-INVITEs with no SE and the proxy inserts one; the
  // callee's 2xx has none: no session timer any more.
  SipMessage reinvite = InDialogRequest("INVITE", DialogSide::kCaller, 2);
  Send(reinvite);
  EXPECT_EQ(Value(reinvite, HeaderId::kSessionExpires), "1800");
  SipMessage ok = Ok("INVITE", 2, DialogSide::kCaller);
  SessionTimerResponseVerdict v = Relay(ok);
  EXPECT_TRUE(v.disarmed);
  EXPECT_EQ(enforcer_.dialog_count(), 0u);
  EXPECT_TRUE(ExpireAt(seconds(1800)).empty());
}

class NonSuccessTest : public SessionTimerTest,
                       public ::testing::WithParamInterface<int> {};

TEST_P(NonSuccessTest, Item16_FailedRefreshNeitherRefreshesNorEnds) {
  policy_.on_expiry = ExpiryAction::kBye;
  Establish("Supported: timer\nSession-Expires: 1800\n", "Session-Expires: 1800;refresher=uac\n");
  clock_.Set(answered_at_ + seconds(900));
  SipMessage reinvite = InDialogRequest("INVITE", DialogSide::kCaller, 2,
                                        "Supported: timer\nSession-Expires: 1800;refresher=uac\n");
  Send(reinvite);
  SipMessage failure = Response(GetParam(), "Failed", "INVITE", 2, DialogSide::kCaller,
                                GetParam() == 422 ? "Min-SE: 3600\n" : "");
  SessionTimerResponseVerdict v = Relay(failure);
  EXPECT_FALSE(v.armed);
  EXPECT_FALSE(v.disarmed);
  ASSERT_TRUE(Session());
  EXPECT_EQ(enforcer_.NextDeadline(), answered_at_ + seconds(1800));
  EXPECT_EQ(enforcer_.counters().refreshed, 0u);
  // The retried refresh (after glare) still works.
  SipMessage retry = InDialogRequest("INVITE", DialogSide::kCaller, 3,
                                     "Supported: timer\nSession-Expires: 1800;refresher=uac\n");
  Send(retry);
  SipMessage ok = Ok("INVITE", 3, DialogSide::kCaller, "Session-Expires: 1800;refresher=uac\n");
  EXPECT_TRUE(Relay(ok).armed);
  EXPECT_EQ(enforcer_.NextDeadline(), answered_at_ + seconds(900 + 1800));
}

INSTANTIATE_TEST_SUITE_P(Codes, NonSuccessTest, ::testing::Values(491, 422, 488, 401, 500));

TEST_F(SessionTimerTest, Item16_GlareBothRefreshesInFlightThen491) {
  Establish("Supported: timer\nSession-Expires: 1800\n", "Session-Expires: 1800;refresher=uac\n");
  clock_.Set(answered_at_ + seconds(900));
  SipMessage from_caller = InDialogRequest("INVITE", DialogSide::kCaller, 2,
                                           "Supported: timer\nSession-Expires: 1800\n");
  SipMessage from_callee = InDialogRequest("INVITE", DialogSide::kCallee, 1,
                                           "Supported: timer\nSession-Expires: 1800\n");
  Send(from_caller);
  Send(from_callee);
  SipMessage glare1 = Response(491, "Request Pending", "INVITE", 2, DialogSide::kCaller);
  SipMessage glare2 = Response(491, "Request Pending", "INVITE", 1, DialogSide::kCallee);
  Relay(glare1);
  Relay(glare2);
  EXPECT_EQ(enforcer_.NextDeadline(), answered_at_ + seconds(1800));
  EXPECT_EQ(enforcer_.dialog_count(), 1u);
}

TEST_F(SessionTimerTest, Item17_RefresherNamesTheUacOfTheRefreshingTransaction) {
  Establish("Supported: timer\nSession-Expires: 1800\n", "Session-Expires: 1800;refresher=uac\n");
  EXPECT_EQ(Session()->refresher, DialogSide::kCaller);

  // The callee sends an UPDATE with refresher=uac: the callee now refreshes.
  SipMessage update = InDialogRequest("UPDATE", DialogSide::kCallee, 1,
                                      "Supported: timer\nSession-Expires: 1800;refresher=uac\n");
  Send(update);
  SipMessage ok = Ok("UPDATE", 1, DialogSide::kCallee, "Session-Expires: 1800;refresher=uac\n");
  Relay(ok);
  EXPECT_EQ(Session()->refresher, DialogSide::kCallee);

  // Then the caller re-INVITEs and the callee's 2xx says refresher=uas: still the callee.
  SipMessage reinvite = InDialogRequest("INVITE", DialogSide::kCaller, 2,
                                        "Supported: timer\nSession-Expires: 1800;refresher=uas\n");
  Send(reinvite);
  SipMessage ok2 = Ok("INVITE", 2, DialogSide::kCaller, "Session-Expires: 1800;refresher=uas\n");
  Relay(ok2);
  EXPECT_EQ(Session()->refresher, DialogSide::kCallee);
}

TEST_F(SessionTimerTest, Item18_ExpiryNotBeforeTheSessionInterval) {
  policy_.on_expiry = ExpiryAction::kBye;
  Establish("Supported: timer\nSession-Expires: 1800\n", "Session-Expires: 1800;refresher=uac\n");
  EXPECT_EQ(enforcer_.NextDeadline(), answered_at_ + seconds(1800));
  EXPECT_TRUE(ExpireAt(seconds(900)).empty());               // never at SE/2
  EXPECT_TRUE(ExpireAt(seconds(1800 - 32)).empty());         // nor when endpoints give up
  EXPECT_TRUE(ExpireAt(seconds(1800) - std::chrono::milliseconds(1)).empty());
  std::vector<SessionTimerExpiry> expired = ExpireAt(seconds(1800));
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].call_id, kCallId);
  EXPECT_EQ(expired[0].action, ExpiryAction::kBye);
  EXPECT_EQ(expired[0].byes.size(), 2u);
  EXPECT_EQ(enforcer_.dialog_count(), 0u);
  EXPECT_EQ(enforcer_.counters().expired, 1u);
  EXPECT_EQ(enforcer_.counters().byes, 2u);
  EXPECT_EQ(enforcer_.counters().sessions, 0u);
}

TEST_F(SessionTimerTest, Item18_ForgetModeSendsNothing) {
  ASSERT_EQ(policy_.on_expiry, ExpiryAction::kForget);  // the default
  Establish("Supported: timer\nSession-Expires: 1800\n", "Session-Expires: 1800;refresher=uac\n");
  std::vector<SessionTimerExpiry> expired = ExpireAt(seconds(1800));
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].action, ExpiryAction::kForget);
  EXPECT_TRUE(expired[0].byes.empty());
  EXPECT_EQ(enforcer_.dialog_count(), 0u);
  EXPECT_EQ(enforcer_.counters().expired, 1u);
  EXPECT_EQ(enforcer_.counters().byes, 0u);
}

TEST_F(SessionTimerTest, Item19_ByeCarriesRouteSetTagsCSeqAndReason) {
  policy_.on_expiry = ExpiryAction::kBye;
  Establish("Supported: timer\nSession-Expires: 1800\n", "Session-Expires: 1800;refresher=uac\n");
  // CSeq moves on in both directions: a refresh and an INFO from the caller, an UPDATE from
  // the callee (that also moves the callee's remote target).
  SipMessage reinvite = InDialogRequest("INVITE", DialogSide::kCaller, 5,
                                        "Supported: timer\nSession-Expires: 1800\n");
  Send(reinvite);
  SipMessage ok = Ok("INVITE", 5, DialogSide::kCaller, "Session-Expires: 1800;refresher=uac\n");
  Relay(ok);
  SipMessage info = InDialogRequest("INFO", DialogSide::kCaller, 7);
  Send(info);
  SipMessage update = InDialogRequest("UPDATE", DialogSide::kCallee, 3,
                                      "Session-Expires: 1800;refresher=uas\n",
                                      "sip:+14695558019@10.0.0.148:5070");
  Send(update);
  SipMessage ok2 = Ok("UPDATE", 3, DialogSide::kCallee, "Session-Expires: 1800;refresher=uas\n");
  Relay(ok2);

  std::vector<SessionTimerExpiry> expired = ExpireAt(std::chrono::hours(1));
  ASSERT_EQ(expired.size(), 1u);
  ASSERT_EQ(expired[0].byes.size(), 2u);
  for (const SessionTimerBye& bye_out : expired[0].byes) {
    SipMessage bye = Parse(bye_out.request);
    EXPECT_EQ(bye.method(), "BYE");
    EXPECT_FALSE(bye.HasHeader(HeaderId::kVia));  // the transaction layer adds it
    EXPECT_EQ(Value(bye, HeaderId::kCallId), kCallId);
    EXPECT_EQ(Value(bye, HeaderId::kMaxForwards), "70");
    EXPECT_EQ(Value(bye, HeaderId::kReason), "SIP;cause=408;text=\"Session timer expired\"");
    EXPECT_EQ(Value(bye, HeaderId::kContentLength), "0");
    EXPECT_TRUE(bye.body().empty());
    if (bye_out.toward == DialogSide::kCallee) {
      // As the caller would send it: the callee's latest target, the two proxies past ours
      // nearest first, the caller's CSeq space.
      EXPECT_EQ(bye.request_uri(), "sip:+14695558019@10.0.0.148:5070");
      ASSERT_EQ(CountLines(bye, HeaderId::kRoute), 2u);
      EXPECT_EQ(bye.header_value(bye.FindHeader(HeaderId::kRoute)), "<sip:d1.trunk.example;lr;ftag=x>");
      EXPECT_EQ(bye.header_value(bye.FindHeader(HeaderId::kRoute, bye.FindHeader(HeaderId::kRoute) + 1)),
                "<sip:d2.trunk.example;lr>");
      EXPECT_EQ(bye_out.next_hop, "sip:d1.trunk.example;lr;ftag=x");
      EXPECT_EQ(Value(bye, HeaderId::kFrom), CallerFrom());
      EXPECT_EQ(Value(bye, HeaderId::kTo), CalleeTo());
      EXPECT_EQ(Value(bye, HeaderId::kCSeq), "8 BYE");
    } else {
      // As the callee would send it: the caller's Contact, via the caller's upstream proxy.
      EXPECT_EQ(bye.request_uri(), kCallerContact);
      ASSERT_EQ(CountLines(bye, HeaderId::kRoute), 1u);
      EXPECT_EQ(Value(bye, HeaderId::kRoute), kUpstreamRecordRoute);
      EXPECT_EQ(bye_out.next_hop, "sip:10.0.0.2;lr");
      EXPECT_EQ(Value(bye, HeaderId::kFrom), CalleeTo());
      EXPECT_EQ(Value(bye, HeaderId::kTo), CallerFrom());
      EXPECT_EQ(Value(bye, HeaderId::kCSeq), "4 BYE");
    }
  }
}

TEST_F(SessionTimerTest, Item19_ByeUsesFromAndToAsEachSideSawThem) {
  policy_.on_expiry = ExpiryAction::kBye;
  SipMessage invite = InitialInvite("Supported: timer\nSession-Expires: 1800\n");
  ASSERT_EQ(enforcer_.OnRequest(policy_, invite).action, Action::kForward);
  // An egress profile normalises the numbers toward the callee (tags untouched).
  invite.SetHeaderValue(invite.FindHeader(HeaderId::kFrom),
                        "<sip:19055559083@10.0.0.5>;tag=" + S(kCallerTag));
  invite.SetHeaderValue(invite.FindHeader(HeaderId::kTo), "<sip:14695558019@10.0.0.147>");
  enforcer_.NoteForwarded(invite);
  SipMessage ok = Ok("INVITE", 1, DialogSide::kCaller, "Session-Expires: 1800;refresher=uac\n",
                     true);
  Relay(ok);
  answered_at_ = clock_.Now();
  std::vector<SessionTimerExpiry> expired = ExpireAt(seconds(1800));
  ASSERT_EQ(expired.size(), 1u);
  for (const SessionTimerBye& out : expired[0].byes) {
    SipMessage bye = Parse(out.request);
    if (out.toward == DialogSide::kCallee) {
      EXPECT_EQ(Value(bye, HeaderId::kFrom), "<sip:19055559083@10.0.0.5>;tag=" + S(kCallerTag));
      EXPECT_EQ(Value(bye, HeaderId::kTo),
                "<sip:14695558019@10.0.0.147>;tag=" + S(kCalleeTag));
    } else {
      EXPECT_EQ(Value(bye, HeaderId::kFrom), CalleeTo());
      EXPECT_EQ(Value(bye, HeaderId::kTo), CallerFrom());
    }
  }
}

TEST_F(SessionTimerTest, Item19_StrictRouterBecomesTheRequestUri) {
  policy_.on_expiry = ExpiryAction::kBye;
  SipMessage invite = InitialInvite("Supported: timer\nSession-Expires: 1800\n");
  Send(invite);
  SipMessage ok = Response(200, "OK", "INVITE", 1, DialogSide::kCaller,
                           "Session-Expires: 1800;refresher=uac\n",
                           "Record-Route: <sip:strict.trunk.example>\n"
                           "Record-Route: <sip:10.0.0.5;lr>\n"
                           "Record-Route: <sip:10.0.0.2;lr>\n");
  Relay(ok);
  answered_at_ = clock_.Now();
  std::vector<SessionTimerExpiry> expired = ExpireAt(seconds(1800));
  ASSERT_EQ(expired.size(), 1u);
  for (const SessionTimerBye& out : expired[0].byes) {
    if (out.toward != DialogSide::kCallee) continue;
    SipMessage bye = Parse(out.request);
    EXPECT_EQ(bye.request_uri(), "sip:strict.trunk.example");
    EXPECT_EQ(Value(bye, HeaderId::kRoute), "<" + S(kCalleeContact) + ">");
    EXPECT_EQ(out.next_hop, "sip:strict.trunk.example");
  }
}

TEST_F(SessionTimerTest, StateRemovedOnByeFromEitherSide) {
  Establish("Supported: timer\nSession-Expires: 1800\n", "Session-Expires: 1800;refresher=uac\n");
  SipMessage bye = InDialogRequest("BYE", DialogSide::kCallee, 2);
  Send(bye);
  EXPECT_EQ(enforcer_.dialog_count(), 0u);
  EXPECT_FALSE(enforcer_.NextDeadline());
  EXPECT_TRUE(ExpireAt(seconds(1800)).empty());  // no timer survives the BYE
  EXPECT_EQ(enforcer_.counters().sessions, 0u);

  answered_at_ = clock_.Now();
  Establish("Supported: timer\nSession-Expires: 1800\n", "Session-Expires: 1800;refresher=uac\n");
  SipMessage bye2 = InDialogRequest("BYE", DialogSide::kCaller, 2);
  Send(bye2);
  EXPECT_EQ(enforcer_.dialog_count(), 0u);
}

TEST_F(SessionTimerTest, StateRemovedOnFailedOrCancelledInitialInvite) {
  SipMessage invite = InitialInvite("Supported: timer\nSession-Expires: 1800\n");
  Send(invite);
  EXPECT_EQ(enforcer_.counters().pending, 1u);
  SipMessage busy = Response(486, "Busy Here", "INVITE", 1, DialogSide::kCaller);
  Relay(busy);
  EXPECT_EQ(enforcer_.dialog_count(), 0u);
  EXPECT_EQ(enforcer_.counters().pending, 0u);

  SipMessage again = InitialInvite("Supported: timer\nSession-Expires: 1800\n", 2);
  Send(again);
  SipMessage ringing = Response(180, "Ringing", "INVITE", 2, DialogSide::kCaller);
  Relay(ringing);
  EXPECT_EQ(enforcer_.dialog_count(), 1u);  // provisional: still waiting
  SipMessage cancelled = Response(487, "Request Terminated", "INVITE", 2, DialogSide::kCaller);
  Relay(cancelled);
  EXPECT_EQ(enforcer_.dialog_count(), 0u);
}

TEST_F(SessionTimerTest, UnansweredInviteIsDroppedAfterItsLifetime) {
  SipMessage invite = InitialInvite("Supported: timer\nSession-Expires: 1800\n");
  Send(invite);
  ASSERT_TRUE(enforcer_.NextDeadline());
  EXPECT_EQ(*enforcer_.NextDeadline(),
            clock_.Now() + SessionTimerEnforcer::kUnansweredInviteLifetime);
  std::vector<SessionTimerExpiry> expired =
      enforcer_.CollectExpired(clock_.Now() + SessionTimerEnforcer::kUnansweredInviteLifetime);
  EXPECT_TRUE(expired.empty());  // not a session: only counted
  EXPECT_EQ(enforcer_.dialog_count(), 0u);
  EXPECT_EQ(enforcer_.counters().abandoned, 1u);
  EXPECT_EQ(enforcer_.counters().pending, 0u);
}

TEST_F(SessionTimerTest, OnDialogEndForgetsTheDialog) {
  SipMessage invite = InitialInvite("Supported: timer\nSession-Expires: 1800\n");
  Send(invite);
  enforcer_.OnDialogEnd(invite);
  EXPECT_EQ(enforcer_.dialog_count(), 0u);
  EXPECT_EQ(enforcer_.counters().pending, 0u);
}

TEST_F(SessionTimerTest, SecondForkAnsweringIsNotMistakenForTheTrackedDialog) {
  Establish("Supported: timer\nSession-Expires: 1800\n", "Session-Expires: 1800;refresher=uac\n");
  SipMessage other = Ok("INVITE", 1, DialogSide::kCaller, "Session-Expires: 90;refresher=uac\n");
  other.SetHeaderValue(other.FindHeader(HeaderId::kTo), S(kCalleeAddr) + ";tag=otherfork");
  SessionTimerResponseVerdict v = Relay(other);
  EXPECT_FALSE(v.armed);
  EXPECT_EQ(Session()->interval, 1800u);
}

// --- Coexistence with profiles ---

TEST_F(SessionTimerTest, HalvedSeTowardOneSideArmsOnTheLargestInterval) {
  policy_.on_expiry = ExpiryAction::kBye;
  SipMessage invite = InitialInvite("Supported: timer\nSession-Expires: 1800\n");
  Send(invite);
  SipMessage ok = Ok("INVITE", 1, DialogSide::kCaller, "Session-Expires: 1800;refresher=uac\n",
                     true);
  SessionTimerResponseVerdict v = enforcer_.OnResponse(ok);
  ASSERT_TRUE(v.armed);
  answered_at_ = clock_.Now();
  // VSXi profile 100 as an egress profile toward the caller: 1800 -> 900.
  ProfileChain halve = ChainFromFile("profiles/vsxi/halve-session-expires-1800.json");
  ASSERT_TRUE(halve.Apply(ok).changed);
  ASSERT_EQ(Value(ok, HeaderId::kSessionExpires), "900;refresher=uac");
  clock_.Advance(std::chrono::milliseconds(2));  // egress takes a little time
  enforcer_.NoteForwarded(ok);
  // The callee still counts on 1800: the proxy must not end the call at 900.
  EXPECT_EQ(enforcer_.NextDeadline(), answered_at_ + seconds(1800));
  EXPECT_TRUE(ExpireAt(seconds(900)).empty());
  EXPECT_EQ(ExpireAt(seconds(1800)).size(), 1u);
}

TEST_F(SessionTimerTest, RefreshAskingForTheHalvedIntervalIsNotRefused) {
  SipMessage invite = InitialInvite("Supported: timer\nSession-Expires: 1800\n");
  Send(invite);
  SipMessage ok = Ok("INVITE", 1, DialogSide::kCaller, "Session-Expires: 1800;refresher=uac\n",
                     true);
  ASSERT_TRUE(enforcer_.OnResponse(ok).armed);
  ProfileChain halve = ChainFromFile("profiles/vsxi/halve-session-expires-1800.json");
  ASSERT_TRUE(halve.Apply(ok).changed);
  enforcer_.NoteForwarded(ok);
  answered_at_ = clock_.Now();

  // The caller refreshes with the 900 it was shown: below min_se 1800, yet the proxy itself
  // showed it that value, so no 422 loop.
  clock_.Set(answered_at_ + seconds(450));
  SipMessage refresh = InDialogRequest("UPDATE", DialogSide::kCaller, 2,
                                       "Supported: timer\nSession-Expires: 900;refresher=uac\n");
  SessionTimerRequestVerdict v = Send(refresh);
  EXPECT_EQ(v.action, Action::kForward);
  EXPECT_FALSE(v.changed);
  SipMessage ok2 = Ok("UPDATE", 2, DialogSide::kCaller, "Session-Expires: 900;refresher=uac\n");
  EXPECT_TRUE(Relay(ok2).armed);
  EXPECT_EQ(enforcer_.NextDeadline(), answered_at_ + seconds(450 + 900));

  // Below what anyone was shown, the 422 still comes.
  SipMessage tiny = InDialogRequest("UPDATE", DialogSide::kCaller, 3,
                                    "Supported: timer\nSession-Expires: 120;refresher=uac\n");
  EXPECT_EQ(enforcer_.OnRequest(policy_, tiny).action, Action::kReject);
}

TEST_F(SessionTimerTest, LargerSeShownToTheRequesterMovesTheDeadlineOut) {
  Establish("Supported: timer\nSession-Expires: 1800\n", "");
  SipMessage update = InDialogRequest("UPDATE", DialogSide::kCallee, 1,
                                      "Supported: timer\nSession-Expires: 1800\n");
  Send(update);
  clock_.Advance(seconds(10));
  SipMessage ok = Ok("UPDATE", 1, DialogSide::kCallee, "Session-Expires: 1800;refresher=uas\n");
  const Clock::time_point refreshed_at = clock_.Now();
  ASSERT_TRUE(enforcer_.OnResponse(ok).armed);
  // A profile toward the callee rewrote the interval upward (1800 -> 3600).
  ok.SetHeaderValue(ok.FindHeader(HeaderId::kSessionExpires), "3600;refresher=uas");
  enforcer_.NoteForwarded(ok);
  EXPECT_EQ(enforcer_.NextDeadline(), refreshed_at + seconds(3600));
  EXPECT_EQ(Session()->interval, 3600u);
}

TEST_F(SessionTimerTest, SeRemovedTowardOneSideNeverTearsDown) {
  policy_.on_expiry = ExpiryAction::kBye;
  SipMessage invite = InitialInvite("Supported: timer\nSession-Expires: 1800\n");
  Send(invite);
  SipMessage ok = Ok("INVITE", 1, DialogSide::kCaller, "Session-Expires: 1800;refresher=uac\n",
                     true);
  ASSERT_TRUE(enforcer_.OnResponse(ok).armed);
  answered_at_ = clock_.Now();
  // VSXi profile 18: the caller never learns about a session timer.
  ProfileChain remove = ChainFromFile("profiles/vsxi/remove-session-expires.json");
  ASSERT_TRUE(remove.Apply(ok).changed);
  enforcer_.NoteForwarded(ok);
  EXPECT_FALSE(Session()->bye_on_expiry);
  std::vector<SessionTimerExpiry> expired = ExpireAt(seconds(1800));
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].action, ExpiryAction::kForget);
  EXPECT_TRUE(expired[0].byes.empty());
}

TEST_F(SessionTimerTest, NextDeadlineFollowsTheEarliestOfSeveralSessions) {
  Establish("Supported: timer\nSession-Expires: 3600\n", "Session-Expires: 3600;refresher=uac\n");
  // A second call, answered 100 s later with a shorter interval.
  clock_.Advance(seconds(100));
  std::string invite_text = InitialInvite("Supported: timer\nSession-Expires: 1800\n").Serialize();
  std::string ok_text =
      Ok("INVITE", 1, DialogSide::kCaller, "Session-Expires: 1800;refresher=uac\n", true)
          .Serialize();
  for (std::string* text : {&invite_text, &ok_text}) {
    text->replace(text->find(kCallId), kCallId.size(), "second-call@10.0.0.31");
  }
  SipMessage invite2 = Parse(invite_text);
  Send(invite2);
  SipMessage ok2 = Parse(ok_text);
  Relay(ok2);
  EXPECT_EQ(enforcer_.NextDeadline(), clock_.Now() + seconds(1800));
  std::vector<SessionTimerExpiry> first = enforcer_.CollectExpired(clock_.Now() + seconds(1800));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].call_id, "second-call@10.0.0.31");
  EXPECT_EQ(enforcer_.NextDeadline(), answered_at_ + seconds(3600));
}

}  // namespace
}  // namespace smc
