// Per-trunk RFC 4028 session-timer policy: what the proxy configuration says.
#ifndef SMC_SESSION_TIMER_POLICY_H_
#define SMC_SESSION_TIMER_POLICY_H_

#include <cstdint>
#include <optional>

namespace smc {

struct SessionTimerPolicy {
  // Off: the proxy neither checks, inserts nor tracks session timers. Default: off.
  bool enabled = false;
  // The smallest interval the proxy accepts, in seconds. RFC 4028: never below 90; a
  // configuration with min_se < 90 is refused. Default 1800 (Kamailio sst's default).
  uint32_t min_se = 1800;
  // The Session-Expires the proxy inserts when a request has none (and insert is on), in
  // seconds; never below min_se. Default 1800 (RFC 4028's recommendation).
  uint32_t session_expires = 1800;
  // Answer 422 (with Min-SE) to a request whose Session-Expires is below min_se, when the
  // UAC sent `Supported: timer`. UACs without timer support never get 422: their Min-SE and
  // Session-Expires are raised instead. Off: raise for everyone. Default: on.
  bool reject_too_small = true;
  // Insert Session-Expires (session_expires, no refresher) when a dialog-creating INVITE has
  // none. Default: on.
  bool insert_when_absent = true;
  // Lower a Session-Expires above this (never below the request's Min-SE). Default: none.
  std::optional<uint32_t> max_session_expires;
  // What to do when a session expires without refresh.
  //   kForget: RFC 4028 proxy behaviour: drop the dialog state and count it; send nothing.
  //   kBye: what Kamailio's dialog module and SBCs do: BYE to both sides with the dialog's
  //         route set, a CSeq above any seen and a Reason header.
  // Default: kForget (the RFC's; a proxy MUST NOT send BYE under RFC 4028).
  enum class ExpiryAction : uint8_t { kForget, kBye };
  ExpiryAction on_expiry = ExpiryAction::kForget;
};

}  // namespace smc

#endif  // SMC_SESSION_TIMER_POLICY_H_
