// RFC 4028 section 8 as pure edits of one message: what a proxy does to a session refresh
// request (8.1) and to the 2xx answering it (8.2). Internal to the engine; the enforcer
// (session_timer.cpp) adds the dialog state around them.
#ifndef SMC_ENGINE_SESSION_TIMER_RULES_H_
#define SMC_ENGINE_SESSION_TIMER_RULES_H_

#include <cstdint>
#include <optional>

#include "smc/session_timer.h"
#include "smc/session_timer_policy.h"
#include "smc/sip_message.h"

namespace smc::internal::sst {

// The policy's values made safe: min_se never below 90, session_expires never below min_se,
// max_session_expires never below min_se. (The configuration refuses such values; the
// enforcer does not rely on that.)
struct Limits {
  uint32_t min_se = 0;
  uint32_t session_expires = 0;
  uint32_t max_session_expires = 0;  // 0: no maximum
};
Limits EffectiveLimits(const SessionTimerPolicy& policy);

struct RequestRuleResult {
  bool reject = false;
  uint32_t reject_min_se = 0;  // the Min-SE of the 422
  SessionExpiresEdit edit = SessionExpiresEdit::kNone;
  bool changed = false;
  bool uac_supports_timer = false;  // `Supported: timer`
  bool malformed = false;           // a Session-Expires that cannot be read: left untouched
  uint32_t session_expires = 0;     // what the request carries afterwards; 0: none/unreadable
};

// Checks and edits an INVITE or UPDATE. `may_insert`: the request may be given a
// Session-Expires when it has none (a dialog-creating INVITE, or a request inside a
// session whose timer is armed). `accepted_floor`, when set, lowers the proxy's minimum for
// this request (never below 90): a refresh may always ask for an interval the proxy itself
// let an endpoint see. A disabled policy only reports what the request carries.
RequestRuleResult ApplyRequestRules(const SessionTimerPolicy& policy, SipMessage& request,
                                    bool may_insert,
                                    std::optional<uint32_t> accepted_floor = std::nullopt);

// Inserts `Session-Expires: <seconds>;refresher=uac` and adds `timer` to Require: a 2xx
// without Session-Expires to a UAC that supports timers, when the proxy wants them.
void InsertResponseSessionExpires(SipMessage& response, uint32_t seconds);

}  // namespace smc::internal::sst

#endif  // SMC_ENGINE_SESSION_TIMER_RULES_H_
