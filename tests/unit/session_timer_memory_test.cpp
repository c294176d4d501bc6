// Memory the enforcer holds per tracked dialog, measured with a counting allocator over
// realistic trunk calls (the figure docs/session-timers.md quotes), and that it is all
// given back when the calls end.
#include <malloc.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <new>
#include <string>

#include "session_timer_dialog.h"
#include "smc/clock.h"
#include "smc/session_timer.h"
#include "smc/sip_message.h"

// The counting allocator has to replace the global operator new: process-wide by nature.
// The test is single-threaded.
namespace {
size_t g_live_bytes = 0;

void* CountedAlloc(size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  g_live_bytes += malloc_usable_size(p);
  return p;
}

void CountedFree(void* p) noexcept {
  if (p == nullptr) return;
  g_live_bytes -= malloc_usable_size(p);
  std::free(p);
}
}  // namespace

void* operator new(size_t n) { return CountedAlloc(n); }
void* operator new[](size_t n) { return CountedAlloc(n); }
void operator delete(void* p) noexcept { CountedFree(p); }
void operator delete[](void* p) noexcept { CountedFree(p); }
void operator delete(void* p, size_t) noexcept { CountedFree(p); }
void operator delete[](void* p, size_t) noexcept { CountedFree(p); }

namespace smc {
namespace {

std::string Crlf(const std::string& lines) {
  std::string out;
  for (char c : lines) {
    if (c == '\n') out.push_back('\r');
    out.push_back(c);
  }
  return out;
}

// A call as a wholesale trunk sees it: a carrier's Call-ID and tags, display names, an
// upstream proxy and two downstream ones record-routing, Contacts with transport params.
struct TrunkCall {
  std::string call_id;
  std::string from;
  std::string to;
  std::string to_tagged;

  explicit TrunkCall(int i) {
    const std::string n = std::to_string(100000 + i);
    call_id = "1035" + n + "-0-3965751690@10.0.0.31";
    from = "\"+1905555" + n.substr(2) + "\" <sip:+1905555" + n.substr(2) +
           "@10.0.0.32;isup-oli=00>;tag=sansay2454" + n + "rdb16213";
    to = "<sip:+1469555" + n.substr(2) + "@10.0.0.147;user=phone>";
    to_tagged = to + ";tag=b4723" + n + "fs";
  }

  std::string Invite() const {
    return Crlf(
        "INVITE sip:+14695558019@10.0.0.5:5060;user=phone SIP/2.0\n"
        "Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK1sansay2454621207rdb16213\n"
        "Max-Forwards: 69\n"
        "Record-Route: <sip:10.0.0.2;lr;ftag=sansay2454621207rdb16213>\n"
        "From: " + from + "\n"
        "To: " + to + "\n"
        "Call-ID: " + call_id + "\n"
        "CSeq: 1 INVITE\n"
        "Contact: <sip:+19055559083@10.0.0.31:5060;transport=udp>\n"
        "Supported: timer\n"
        "Session-Expires: 1800\n"
        "Min-SE: 90\n"
        "Content-Length: 0\n\n");
  }

  std::string Ok() const {
    return Crlf(
        "SIP/2.0 200 OK\n"
        "Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-smc-1\n"
        "Record-Route: <sip:sbc2.carrier.example:5060;transport=udp;lr>\n"
        "Record-Route: <sip:sbc1.carrier.example:5060;transport=udp;lr>\n"
        "Record-Route: <sip:10.0.0.5;lr>\n"
        "Record-Route: <sip:10.0.0.2;lr;ftag=sansay2454621207rdb16213>\n"
        "From: " + from + "\n"
        "To: " + to_tagged + "\n"
        "Call-ID: " + call_id + "\n"
        "CSeq: 1 INVITE\n"
        "Contact: <sip:+14695558019@10.0.0.147:5060;transport=udp>\n"
        "Require: timer\n"
        "Session-Expires: 1800;refresher=uac\n"
        "Content-Length: 0\n\n");
  }

  std::string Bye() const {
    return Crlf(
        "BYE sip:+14695558019@10.0.0.147:5060;transport=udp SIP/2.0\n"
        "Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK-bye\n"
        "Route: <sip:10.0.0.5;lr>\n"
        "Max-Forwards: 70\n"
        "From: " + from + "\n"
        "To: " + to_tagged + "\n"
        "Call-ID: " + call_id + "\n"
        "CSeq: 2 BYE\n"
        "Content-Length: 0\n\n");
  }
};

TEST(SessionTimerMemoryTest, BytesPerTrackedDialogStaySmallAndAreReturned) {
  constexpr int kCalls = 2000;
  FakeClock clock;
  SessionTimerPolicy policy;
  policy.enabled = true;
  policy.on_expiry = SessionTimerPolicy::ExpiryAction::kBye;
  SessionTimerEnforcer enforcer(clock);

  const size_t baseline = g_live_bytes;
  for (int i = 0; i < kCalls; ++i) {
    TrunkCall call(i);
    std::optional<SipMessage> invite = SipMessage::Parse(call.Invite());
    ASSERT_TRUE(invite);
    ASSERT_EQ(enforcer.OnRequest(policy, *invite).action,
              SessionTimerRequestVerdict::Action::kForward);
    invite->InsertHeader(invite->FindHeader(HeaderId::kRecordRoute), "Record-Route",
                         "<sip:10.0.0.5;lr>");
    enforcer.NoteForwarded(*invite);
    std::optional<SipMessage> ok = SipMessage::Parse(call.Ok());
    ASSERT_TRUE(ok);
    ASSERT_TRUE(enforcer.OnResponse(*ok).armed);
    enforcer.NoteForwarded(*ok);
  }
  ASSERT_EQ(enforcer.counters().sessions, static_cast<uint64_t>(kCalls));
  const size_t held = g_live_bytes - baseline;
  const size_t per_dialog = held / kCalls;
  std::cout << "[ memory ] sizeof(Dialog) = " << sizeof(internal::sst::Dialog)
            << " B; heap held per tracked dialog (map node, key, texts, deadline index, "
               "buckets) = "
            << per_dialog << " B over " << kCalls << " dialogs\n";
  ::testing::Test::RecordProperty("bytes_per_dialog", static_cast<int>(per_dialog));
  // The budget docs/session-timers.md states: well under 1 KiB per call.
  EXPECT_LT(per_dialog, 1024u);

  // The BYE a proxy in kBye mode would send must be complete with that little state.
  std::vector<SessionTimerExpiry> one = enforcer.CollectExpired(clock.Now() + std::chrono::seconds(1800));
  ASSERT_EQ(one.size(), static_cast<size_t>(kCalls));
  ASSERT_EQ(one[0].byes.size(), 2u);
  one.clear();
  one.shrink_to_fit();
  EXPECT_EQ(enforcer.dialog_count(), 0u);

  // Tracked again, then ended by BYE: everything but the hash table's bucket array is freed.
  for (int i = 0; i < kCalls; ++i) {
    TrunkCall call(i);
    std::optional<SipMessage> invite = SipMessage::Parse(call.Invite());
    enforcer.OnRequest(policy, *invite);
    std::optional<SipMessage> ok = SipMessage::Parse(call.Ok());
    enforcer.OnResponse(*ok);
    std::optional<SipMessage> bye = SipMessage::Parse(call.Bye());
    enforcer.OnRequest(policy, *bye);
  }
  EXPECT_EQ(enforcer.dialog_count(), 0u);
  EXPECT_LE(g_live_bytes - baseline, kCalls * 2 * sizeof(void*));
}

}  // namespace
}  // namespace smc
