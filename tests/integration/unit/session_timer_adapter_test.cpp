// The session-timer stage as the proxy runs it: which trunk's policy governs a call, that
// calls between trunks without timers are left alone (also after a reload switched timers
// off under tracked calls), the 422 answer, the scaled clock never acting early, and the
// Prometheus series.
#include "session_timer_adapter.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <chrono>
#include <string>

#include "scaled_clock.h"
#include "session_timer_metrics.h"

namespace smc::proxy {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

SipMessage Parse(const std::string& text) {
  std::optional<SipMessage> m = SipMessage::Parse(text);
  EXPECT_TRUE(m.has_value()) << text;
  return m ? *m : SipMessage();
}

// An initial INVITE from the caller (tag a1) as the proxy received it.
std::string Invite(const std::string& call_id, const std::string& timer_lines) {
  return "INVITE sip:bob@10.0.0.2 SIP/2.0\r\n"
         "Max-Forwards: 69\r\n"
         "From: <sip:alice@10.0.0.1>;tag=a1\r\n"
         "To: <sip:bob@10.0.0.2>\r\n"
         "Call-ID: " + call_id + "\r\n"
         "CSeq: 1 INVITE\r\n"
         "Contact: <sip:alice@10.0.0.1:5060>\r\n" + timer_lines +
         "Content-Length: 0\r\n\r\n";
}

std::string Answer(const std::string& call_id, const std::string& cseq,
                   const std::string& timer_lines) {
  return "SIP/2.0 200 OK\r\n"
         "Record-Route: <sip:proxy.example;lr>\r\n"
         "From: <sip:alice@10.0.0.1>;tag=a1\r\n"
         "To: <sip:bob@10.0.0.2>;tag=b1\r\n"
         "Call-ID: " + call_id + "\r\n"
         "CSeq: " + cseq + "\r\n"
         "Contact: <sip:bob@10.0.0.2:5060>\r\n" + timer_lines +
         "Content-Length: 0\r\n\r\n";
}

// The caller's 200 to an in-dialog request of the callee.
std::string AnswerToCallee(const std::string& call_id, const std::string& cseq,
                           const std::string& timer_lines) {
  return "SIP/2.0 200 OK\r\n"
         "From: <sip:bob@10.0.0.2>;tag=b1\r\n"
         "To: <sip:alice@10.0.0.1>;tag=a1\r\n"
         "Call-ID: " + call_id + "\r\n"
         "CSeq: " + cseq + "\r\n"
         "Contact: <sip:alice@10.0.0.1:5060>\r\n" + timer_lines +
         "Content-Length: 0\r\n\r\n";
}

// An in-dialog request from the callee (tag b1) to the caller.
std::string FromCallee(const std::string& method, const std::string& call_id, int cseq,
                       const std::string& timer_lines) {
  return method + " sip:alice@10.0.0.1:5060 SIP/2.0\r\n"
         "Max-Forwards: 69\r\n"
         "From: <sip:bob@10.0.0.2>;tag=b1\r\n"
         "To: <sip:alice@10.0.0.1>;tag=a1\r\n"
         "Call-ID: " + call_id + "\r\n"
         "CSeq: " + std::to_string(cseq) + " " + method + "\r\n"
         "Contact: <sip:bob@10.0.0.2:5060>\r\n" + timer_lines +
         "Content-Length: 0\r\n\r\n";
}

std::string FromCaller(const std::string& method, const std::string& call_id, int cseq) {
  return method + " sip:bob@10.0.0.2:5060 SIP/2.0\r\n"
         "Max-Forwards: 69\r\n"
         "From: <sip:alice@10.0.0.1>;tag=a1\r\n"
         "To: <sip:bob@10.0.0.2>;tag=b1\r\n"
         "Call-ID: " + call_id + "\r\n"
         "CSeq: " + std::to_string(cseq) + " " + method + "\r\n"
         "Content-Length: 0\r\n\r\n";
}

std::string Value(const SipMessage& m, HeaderId id) {
  const size_t i = m.FindHeader(id);
  return i == SipMessage::npos ? "" : std::string(m.header_value(i));
}

TrunkConfig Trunk(const std::string& name, bool timers, uint32_t min_se = 90) {
  TrunkConfig t;
  t.name = name;
  t.session_timer.enabled = timers;
  t.session_timer.min_se = min_se;
  t.session_timer.session_expires = std::max<uint32_t>(min_se, 1800);
  t.session_timer.on_expiry = SessionTimerPolicy::ExpiryAction::kBye;
  return t;
}

class AdapterTest : public ::testing::Test {
 protected:
  explicit AdapterTest(uint32_t scale = 1)
      : adapter_(SessionTimerAdapterDeps{&clock_, scale, nullptr, nullptr}) {}

  // The initial INVITE pbx -> carrier, then its 200 back, each through every stage step.
  StageVerdict Call(const TrunkConfig& caller, const TrunkConfig& callee,
                    const std::string& call_id, const std::string& invite_timer,
                    const std::string& answer_timer) {
    SipMessage invite = Parse(Invite(call_id, invite_timer));
    const StageVerdict verdict = adapter_.OnRequest(invite, {&caller, &callee, true});
    if (verdict.reply_status != 0) return verdict;
    invite.InsertHeader(0, "Record-Route", "<sip:proxy.example;lr>");  // the proxy's own
    adapter_.OnForwarded(invite, {&caller, &callee, true});
    SipMessage ok = Parse(Answer(call_id, "1 INVITE", answer_timer));
    adapter_.OnResponse(ok, {&callee, &caller, true});
    adapter_.OnForwarded(ok, {&callee, &caller, true});
    return verdict;
  }

  FakeClock clock_;
  SessionTimerAdapter adapter_;
};

TEST_F(AdapterTest, TheCallersTrunkPolicyDecidesWhenItHasTimersOn) {
  const TrunkConfig pbx = Trunk("pbx", true, 1800);
  const TrunkConfig carrier = Trunk("carrier", true, 300);
  const StageVerdict verdict =
      Call(pbx, carrier, "c1", "Supported: timer\r\nSession-Expires: 600\r\n", "");
  EXPECT_EQ(verdict.reply_status, 422);
  EXPECT_EQ(verdict.reason, "Session Interval Too Small");
  ASSERT_EQ(verdict.reply_headers.size(), 1u);
  EXPECT_EQ(verdict.reply_headers[0].first, "Min-SE");
  EXPECT_EQ(verdict.reply_headers[0].second, "1800");
  EXPECT_EQ(adapter_.enforcer().dialog_count(), 0u);

  // The other way round the carrier's 300 governs: 600 passes.
  EXPECT_EQ(Call(carrier, pbx, "c2", "Supported: timer\r\nSession-Expires: 600\r\n",
                 "Session-Expires: 600;refresher=uac\r\n")
                .reply_status,
            0);
  EXPECT_TRUE(adapter_.enforcer().FindSession("c2", "a1").has_value());
}

TEST_F(AdapterTest, TheCalledTrunkPolicyGovernsWhenOnlyItHasTimersOn) {
  const TrunkConfig pbx = Trunk("pbx", false);
  const TrunkConfig carrier = Trunk("carrier", true, 1800);
  EXPECT_EQ(Call(pbx, carrier, "c1", "Supported: timer\r\nSession-Expires: 600\r\n", "")
                .reply_status,
            422);
  // No Session-Expires: the carrier's policy inserts its own toward the callee.
  SipMessage invite = Parse(Invite("c2", ""));
  EXPECT_EQ(adapter_.OnRequest(invite, {&pbx, &carrier, true}).reply_status, 0);
  EXPECT_EQ(Value(invite, HeaderId::kSessionExpires), "1800");
}

TEST_F(AdapterTest, InDialogRefreshesFollowTheDialogsPolicyWhicheverSideSendsThem) {
  TrunkConfig pbx = Trunk("pbx", true);
  pbx.session_timer.max_session_expires = 300;
  const TrunkConfig carrier = Trunk("carrier", true);
  Call(pbx, carrier, "c1", "Session-Expires: 300\r\n", "Session-Expires: 300;refresher=uac\r\n");
  ASSERT_TRUE(adapter_.enforcer().FindSession("c1", "a1").has_value());

  // The callee's UPDATE asks for 1000: the pbx's policy (the caller's trunk) lowers it to
  // its max_session_expires; the carrier's own policy would have let it through.
  SipMessage update = Parse(FromCallee("UPDATE", "c1", 1, "Session-Expires: 1000\r\n"));
  EXPECT_EQ(adapter_.OnRequest(update, {&carrier, &pbx, false}).reply_status, 0);
  EXPECT_EQ(Value(update, HeaderId::kSessionExpires), "300");
  EXPECT_EQ(adapter_.enforcer().counters().lowered, 1u);
}

TEST_F(AdapterTest, CallsBetweenTrunksWithoutTimersAreLeftAlone) {
  const TrunkConfig pbx = Trunk("pbx", false);
  const TrunkConfig carrier = Trunk("carrier", false);
  SipMessage invite = Parse(Invite("c1", "Supported: timer\r\nSession-Expires: 30\r\n"));
  const std::string before = invite.Serialize();
  EXPECT_EQ(adapter_.OnRequest(invite, {&pbx, &carrier, true}).reply_status, 0);
  EXPECT_EQ(invite.Serialize(), before);
  Call(pbx, carrier, "c2", "", "Session-Expires: 90;refresher=uac\r\n");
  EXPECT_EQ(adapter_.enforcer().dialog_count(), 0u);
  EXPECT_FALSE(adapter_.NextDeadline().has_value());
  EXPECT_EQ(adapter_.enforcer().counters().anomalies, 0u);
}

TEST_F(AdapterTest, AReloadThatSwitchesTimersOffStillLetsTrackedCallsEnd) {
  Call(Trunk("pbx", true), Trunk("carrier", false), "c1", "Session-Expires: 90\r\n",
       "Session-Expires: 90;refresher=uac\r\n");
  ASSERT_EQ(adapter_.enforcer().dialog_count(), 1u);

  // The new snapshot: no trunk has timers on. The call's refresh and its BYE still count.
  const TrunkConfig pbx = Trunk("pbx", false);
  const TrunkConfig carrier = Trunk("carrier", false);
  clock_.Advance(seconds(60));
  SipMessage update = Parse(FromCallee("UPDATE", "c1", 1, "Session-Expires: 90\r\n"));
  adapter_.OnRequest(update, {&carrier, &pbx, false});
  adapter_.OnForwarded(update, {&carrier, &pbx, false});
  SipMessage ok =
      Parse(AnswerToCallee("c1", "1 UPDATE", "Session-Expires: 90;refresher=uac\r\n"));
  adapter_.OnResponse(ok, {&pbx, &carrier, false});
  EXPECT_EQ(adapter_.enforcer().counters().refreshed, 1u);
  clock_.Advance(seconds(60));  // past the first deadline, before the refreshed one
  EXPECT_TRUE(adapter_.OnDeadline(clock_.Now()).empty());

  SipMessage bye = Parse(FromCaller("BYE", "c1", 2));
  adapter_.OnRequest(bye, {&pbx, &carrier, false});
  EXPECT_EQ(adapter_.enforcer().dialog_count(), 0u);
  clock_.Advance(seconds(600));
  EXPECT_TRUE(adapter_.OnDeadline(clock_.Now()).empty());
  EXPECT_EQ(adapter_.enforcer().counters().expired, 0u);
}

TEST_F(AdapterTest, ExpiryInByeModeOriginatesAByeToEachSide) {
  Call(Trunk("pbx", true), Trunk("carrier", false), "c1", "Session-Expires: 90\r\n",
       "Session-Expires: 90;refresher=uac\r\n");
  const auto deadline = adapter_.NextDeadline();
  ASSERT_TRUE(deadline.has_value());
  EXPECT_EQ(*deadline - clock_.Now(), seconds(90));
  const std::vector<OriginatedRequest> byes = adapter_.OnDeadline(*deadline);
  ASSERT_EQ(byes.size(), 2u);
  EXPECT_EQ(byes[0].message.rfind("BYE sip:alice@10.0.0.1:5060 SIP/2.0\r\n", 0), 0u)
      << byes[0].message;
  EXPECT_EQ(byes[0].next_hop, "sip:alice@10.0.0.1:5060");
  EXPECT_EQ(byes[1].message.rfind("BYE sip:bob@10.0.0.2:5060 SIP/2.0\r\n", 0), 0u)
      << byes[1].message;
  EXPECT_EQ(byes[1].next_hop, "sip:bob@10.0.0.2:5060");
  EXPECT_FALSE(adapter_.NextDeadline().has_value());
}

// A scale that does not divide the interval: 90 s at 7x is 12.857142857... s.
class ScaledAdapterTest : public AdapterTest {
 protected:
  ScaledAdapterTest() : AdapterTest(7) {}
};

TEST_F(ScaledAdapterTest, TheIntervalElapsesScaleTimesFasterAndNeverEarly) {
  clock_.Advance(seconds(1000));  // anywhere on the base clock
  const auto answered = clock_.Now();
  Call(Trunk("pbx", true), Trunk("carrier", false), "c1", "Session-Expires: 90\r\n",
       "Session-Expires: 90;refresher=uac\r\n");
  const auto deadline = adapter_.NextDeadline();
  ASSERT_TRUE(deadline.has_value());
  EXPECT_GE(*deadline - answered, nanoseconds(seconds(90)) / 7);
  EXPECT_LT(*deadline - answered, nanoseconds(seconds(90)) / 7 + milliseconds(1));
  EXPECT_TRUE(adapter_.OnDeadline(*deadline - nanoseconds(1)).empty());
  EXPECT_EQ(adapter_.enforcer().dialog_count(), 1u);
  EXPECT_EQ(adapter_.OnDeadline(*deadline).size(), 2u);
  EXPECT_EQ(adapter_.enforcer().dialog_count(), 0u);
}

TEST(ScaledClock, ConvertsBothWaysRoundingTowardLater) {
  FakeClock base;
  base.Advance(seconds(5));
  const ScaledClock clock(base, 3);
  EXPECT_EQ(clock.Now(), base.Now());
  base.Advance(seconds(2));
  EXPECT_EQ(clock.Now() - clock.FromBase(base.Now() - seconds(2)), seconds(6));
  const auto target = clock.Now() + nanoseconds(10);  // 10/3 ns of base time
  EXPECT_EQ(clock.ToBase(target) - base.Now(), nanoseconds(4));
  EXPECT_GE(clock.FromBase(clock.ToBase(target)), target);
  EXPECT_EQ(ScaledClock(base, 0).scale(), 1u);
}

// The value of an unlabelled series of `name` in `registry`.
double SeriesValue(prometheus::Registry& registry, const std::string& name) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name || family.metric.size() != 1) continue;
    const prometheus::ClientMetric& m = family.metric[0];
    return family.type == prometheus::MetricType::Gauge ? m.gauge.value : m.counter.value;
  }
  ADD_FAILURE() << "no series " << name;
  return -1;
}

TEST(SessionTimerMetrics, ExportsTheEnforcersTotalsAndGauges) {
  prometheus::Registry registry;
  SessionTimerMetrics metrics(registry);
  FakeClock clock;
  SessionTimerAdapter adapter(SessionTimerAdapterDeps{&clock, 1, &metrics, nullptr});
  const TrunkConfig pbx = Trunk("pbx", true, 1800);
  const TrunkConfig carrier = Trunk("carrier", false);

  SipMessage small = Parse(Invite("c1", "Supported: timer\r\nSession-Expires: 90\r\n"));
  EXPECT_EQ(adapter.OnRequest(small, {&pbx, &carrier, true}).reply_status, 422);
  SipMessage invite = Parse(Invite("c2", ""));  // gets 1800 inserted
  adapter.OnRequest(invite, {&pbx, &carrier, true});
  adapter.OnForwarded(invite, {&pbx, &carrier, true});
  EXPECT_EQ(SeriesValue(registry, "smc_session_timer_pending"), 1);
  SipMessage ok = Parse(Answer("c2", "1 INVITE", "Session-Expires: 1800;refresher=uac\r\n"));
  adapter.OnResponse(ok, {&carrier, &pbx, true});
  adapter.OnForwarded(ok, {&carrier, &pbx, true});

  EXPECT_EQ(SeriesValue(registry, "smc_session_timer_rejected_total"), 1);
  EXPECT_EQ(SeriesValue(registry, "smc_session_timer_inserted_total"), 1);
  EXPECT_EQ(SeriesValue(registry, "smc_session_timer_pending"), 0);
  EXPECT_EQ(SeriesValue(registry, "smc_session_timer_sessions"), 1);

  clock.Advance(seconds(1800));
  EXPECT_EQ(adapter.OnDeadline(clock.Now()).size(), 2u);
  EXPECT_EQ(SeriesValue(registry, "smc_session_timer_sessions"), 0);
  EXPECT_EQ(SeriesValue(registry, "smc_session_timer_expired_total"), 1);
  EXPECT_EQ(SeriesValue(registry, "smc_session_timer_byes_total"), 2);
  EXPECT_EQ(SeriesValue(registry, "smc_session_timer_refreshed_total"), 0);
}

}  // namespace
}  // namespace smc::proxy
