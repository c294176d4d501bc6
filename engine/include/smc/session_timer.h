// RFC 4028 session timers enforced by a proxy: decisions only, no I/O.
//
// The proxy owns one SessionTimerEnforcer per thread and calls it at fixed points of its
// pipeline (ingress profiles -> enforcer -> egress profiles -> wire):
//
//   request in:   ingress profiles, then OnRequest(policy, request) BEFORE the proxy adds its
//                 own Record-Route; then egress profiles, Record-Route, and
//                 NoteForwarded(request as sent, without the Via nta adds).
//   response in:  ingress profiles, then OnResponse(response); then egress profiles and
//                 NoteForwarded(response as sent upstream).
//   timer:        arm one timer at NextDeadline(); when it fires, CollectExpired(now) and send
//                 the BYEs it returns (kBye mode), then re-arm at NextDeadline().
//
// OnRequest must see every request the proxy forwards (not only INVITE and UPDATE: in-dialog
// requests keep the CSeq the BYEs need above any seen, and a BYE ends the tracking).
// OnResponse must see the responses the proxy relays upstream, including 2xx retransmissions.
// A locally generated final answer to a forwarded INVITE (503 after a transport error, a
// timeout) is reported with OnResponse too, or the dialog is dropped with OnDialogEnd.
//
// Dialogs are found by Call-ID and tags; the enforcer tells caller from callee itself (the
// caller is the sender of the initial INVITE). See docs/session-timers.md.
#ifndef SMC_SESSION_TIMER_H_
#define SMC_SESSION_TIMER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smc/clock.h"
#include "smc/session_timer_policy.h"
#include "smc/sip_message.h"

namespace smc {

// The two ends of a dialog: the caller sent the dialog-creating INVITE.
enum class DialogSide : uint8_t { kCaller, kCallee };

// The reason phrase of the 422 the proxy sends for a kReject verdict (RFC 4028 section 6).
inline constexpr std::string_view kSessionIntervalTooSmall = "Session Interval Too Small";

// What OnRequest did to the Session-Expires of a request it lets through.
enum class SessionExpiresEdit : uint8_t {
  kNone,
  kInserted,  // absent: inserted (policy session_expires, at least the request's Min-SE)
  kRaised,    // below min_se from a UAC that gets no 422: raised, and Min-SE with it
  kLowered,   // above max_session_expires: lowered, never below the request's Min-SE
};

struct SessionTimerRequestVerdict {
  enum class Action : uint8_t { kForward, kReject };
  Action action = Action::kForward;
  // kReject: answer `422 Session Interval Too Small` carrying `Min-SE: <min_se>`, do not
  // forward. No dialog state is kept for a rejected request.
  uint32_t min_se = 0;
  // kForward: the edit made to the request (changed is true whenever the message was edited).
  SessionExpiresEdit edit = SessionExpiresEdit::kNone;
  bool changed = false;
};

// Responses that break RFC 4028 without being a reason to tear the call down (they are
// counted and should be logged).
enum class SessionTimerAnomaly : uint8_t {
  kNone,
  // The 2xx carries Session-Expires although the request as forwarded had none (the UAS
  // enabled timers unasked: VSXi troubleshooting case 4). The session is tracked, but its
  // expiry only forgets the state: the proxy never sends BYE because of it.
  kUnaskedSessionExpires,
  // A Session-Expires the enforcer cannot read (not "delta-seconds *(;param)"): passed on
  // untouched; the session is not armed on it.
  kMalformedSessionExpires,
};

struct SessionTimerResponseVerdict {
  // Session-Expires (refresher=uac) and `Require: timer` were inserted (RFC 4028 8.2).
  bool changed = false;
  // The session timer is armed (or re-armed) by this 2xx.
  bool armed = false;
  // The 2xx switched the session timer off (no Session-Expires, nothing to insert): the
  // dialog is no longer tracked.
  bool disarmed = false;
  SessionTimerAnomaly anomaly = SessionTimerAnomaly::kNone;
};

// A BYE the proxy sends on expiry in kBye mode: a complete request without Via (the proxy's
// transaction layer adds it), CRLF line ends, ending with the empty line; no body.
struct SessionTimerBye {
  DialogSide toward = DialogSide::kCaller;
  std::string request;
  // Where to send it: the URI of the first Route entry, or the Request-URI when the route set
  // is empty (with a strict-routing first hop, the Request-URI is that hop: RFC 3261 12.2.1.1).
  std::string next_hop;
};

struct SessionTimerExpiry {
  std::string call_id;
  SessionTimerPolicy::ExpiryAction action = SessionTimerPolicy::ExpiryAction::kForget;
  // kBye: one BYE toward each side whose remote target is known (normally two).
  // kForget: empty.
  std::vector<SessionTimerBye> byes;
};

// What the enforcer knows of one tracked session, for diagnostics and tests.
struct SessionTimerSessionInfo {
  bool confirmed = false;        // a 2xx to the initial INVITE was seen
  Clock::time_point expires_at;  // the deadline (for an unconfirmed dialog: when it is dropped)
  uint32_t interval = 0;         // seconds between the last 2xx and expires_at
  std::optional<DialogSide> refresher;  // who refreshes, when the 2xx said so
  bool bye_on_expiry = false;    // kBye mode and no reason to refrain from it
};

// Counters, Kamailio-style. `sessions` and `pending` are gauges; the rest only grow.
struct SessionTimerCounters {
  uint64_t sessions = 0;       // confirmed dialogs with an armed session timer
  uint64_t pending = 0;        // initial INVITEs forwarded, no final response yet
  uint64_t refreshed = 0;      // 2xx to a re-INVITE or UPDATE that re-armed a session
  uint64_t expired = 0;        // sessions that reached their deadline unrefreshed
  uint64_t byes = 0;           // BYE requests built on expiry (two per kBye expiry)
  uint64_t rejected = 0;       // 422 verdicts
  uint64_t raised = 0;         // requests whose Session-Expires (and Min-SE) were raised
  uint64_t inserted = 0;       // requests given a Session-Expires
  uint64_t inserted_in_response = 0;  // 2xx given Session-Expires + Require: timer
  uint64_t lowered = 0;        // requests whose Session-Expires was lowered
  uint64_t disarmed = 0;       // 2xx without Session-Expires that ended tracking
  uint64_t anomalies = 0;      // SessionTimerAnomaly other than kNone (responses and requests)
  uint64_t abandoned = 0;      // initial INVITEs dropped with no final response reported
};

class SessionTimerEnforcer {
 public:
  // How long an initial INVITE is remembered without a final response being reported.
  static constexpr std::chrono::seconds kUnansweredInviteLifetime{900};

  explicit SessionTimerEnforcer(const Clock& clock);
  ~SessionTimerEnforcer();
  SessionTimerEnforcer(const SessionTimerEnforcer&) = delete;
  SessionTimerEnforcer& operator=(const SessionTimerEnforcer&) = delete;

  // Any request the proxy is about to forward, after ingress profiles. INVITE and UPDATE are
  // checked against `policy` (RFC 4028 8.1) and may be edited or rejected; an initial INVITE
  // starts tracking; BYE ends it; every other request only updates the CSeq bookkeeping.
  // A disabled policy edits nothing and starts no tracking.
  SessionTimerRequestVerdict OnRequest(const SessionTimerPolicy& policy, SipMessage& request);

  // A response to a forwarded request, after ingress profiles and before egress profiles.
  // Only final responses to INVITE and UPDATE matter (RFC 4028 8.2, 10).
  SessionTimerResponseVerdict OnResponse(SipMessage& response);

  // The message exactly as sent on (after egress profiles and the proxy's Record-Route).
  // Records the Session-Expires each side was shown: the session expires at the time of the
  // 2xx plus the LARGEST interval either endpoint saw, so that a profile that halves
  // Session-Expires toward one side never makes the proxy end a call the other side still
  // considers alive. Also records the Record-Route entries the proxy added (route sets).
  void NoteForwarded(const SipMessage& as_sent);

  // Drops the dialog `message` belongs to, whatever its state (the proxy gave up on it).
  void OnDialogEnd(const SipMessage& message);

  // The earliest deadline (session expiry, or an unanswered INVITE to drop); nullopt when
  // nothing is tracked.
  std::optional<Clock::time_point> NextDeadline() const;

  // Removes every dialog whose deadline is at or before `now` and returns the expired
  // sessions with what to do about them. Unanswered INVITEs are dropped and only counted.
  std::vector<SessionTimerExpiry> CollectExpired(Clock::time_point now);

  // The session of Call-ID `call_id` whose caller's From tag is `caller_tag`.
  std::optional<SessionTimerSessionInfo> FindSession(std::string_view call_id,
                                                     std::string_view caller_tag) const;

  size_t dialog_count() const;  // confirmed and pending
  const SessionTimerCounters& counters() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace smc

#endif  // SMC_SESSION_TIMER_H_
