// The state the session-timer enforcer keeps per dialog: only what its decisions and the
// BYEs of kBye mode need, in as few allocations as possible (one per dialog for all its text,
// besides the key). Internal to the engine.
#ifndef SMC_ENGINE_SESSION_TIMER_DIALOG_H_
#define SMC_ENGINE_SESSION_TIMER_DIALOG_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "smc/clock.h"
#include "smc/session_timer.h"
#include "smc/session_timer_policy.h"

namespace smc::internal::sst {

// The texts of a dialog, each one field of a single string.
enum class DialogField : uint8_t {
  kFromRx,         // From of the initial INVITE as received (caller's local URI + tag)
  kToRx,           // To of the initial INVITE as received (caller's remote URI, no tag)
  kFromTx,         // From as forwarded to the callee; "" when the same as kFromRx
  kToTx,           // To as forwarded to the callee; "" when the same as kToRx
  kCalleeTag,      // To tag of the 2xx
  kCallerContact,  // remote target of the caller (URI)
  kCalleeContact,  // remote target of the callee (URI)
  kRouteToCaller,  // Route entries toward the caller, first hop first, ", "-separated
  kRouteToCallee,  // the same toward the callee
  kCount
};

class DialogText {
 public:
  // Longer text is refused: a dialog whose texts exceed this is not tracked.
  static constexpr size_t kMaxSize = 0xffff;

  std::string_view Get(DialogField field) const;
  // Replaces one field; false (nothing changed) when the total would exceed kMaxSize.
  bool Set(DialogField field, std::string_view value);
  size_t capacity() const { return text_.capacity(); }

 private:
  static constexpr size_t kFields = static_cast<size_t>(DialogField::kCount);
  std::string text_;
  std::array<uint16_t, kFields> end_{};  // end offset of each field in text_
};

enum class Method : uint8_t { kNone, kInvite, kUpdate };

// Who refreshes the session, when the 2xx that armed it said so.
enum class RefresherSide : uint8_t { kUnknown, kCaller, kCallee };

inline DialogSide Other(DialogSide side) {
  return side == DialogSide::kCaller ? DialogSide::kCallee : DialogSide::kCaller;
}
inline size_t Index(DialogSide side) { return side == DialogSide::kCaller ? 0 : 1; }

// An INVITE or UPDATE forwarded inside the dialog (or the initial INVITE), awaiting its
// final response.
struct PendingTransaction {
  uint32_t cseq = 0;
  uint32_t request_se = 0;  // Session-Expires of the request as sent on; 0: none
  Method method = Method::kNone;  // kNone: free slot
  DialogSide uac = DialogSide::kCaller;
  bool uac_supports_timer = false;
  bool enforce = false;  // the policy was enabled: the proxy wants a session timer
};

struct Dialog {
  DialogText text;
  Clock::time_point deadline{};  // in the enforcer's deadline index
  uint32_t interval = 0;         // seconds from the last arming 2xx to deadline
  // The smallest interval either side was shown by the last arming 2xx: a refresh asking
  // for it is never refused nor raised, even below min_se (a profile may have halved it).
  uint32_t shown_min = 0;
  std::array<uint32_t, 2> max_cseq{};  // highest CSeq of requests from caller / callee
  // The last 2xx that armed the session: its retransmissions get the same insertion, and
  // NoteForwarded of it records what the requester was shown.
  uint32_t answered_cseq = 0;
  uint32_t inserted_se = 0;  // Session-Expires inserted into that 2xx; 0: none
  std::array<PendingTransaction, 2> pending{};
  uint16_t rr_forwarded = 0;  // Record-Route entries of the initial INVITE as forwarded
  Method answered_method = Method::kNone;
  DialogSide answered_uac = DialogSide::kCaller;
  bool confirmed = false;       // the initial INVITE got its 2xx: the session timer is armed
  bool awaiting_note = false;   // the arming 2xx has not been through NoteForwarded yet
  bool bye_allowed = false;     // expiry may send BYE (when the policy says kBye)
  SessionTimerPolicy::ExpiryAction on_expiry = SessionTimerPolicy::ExpiryAction::kForget;
  RefresherSide refresher = RefresherSide::kUnknown;
};

// The BYE toward `toward` on expiry of dialog `dialog` (whose key holds `call_id` and the
// caller's tag); nullopt when that side's remote target is unknown.
std::optional<SessionTimerBye> BuildExpiryBye(const Dialog& dialog, std::string_view call_id,
                                              std::string_view caller_tag, DialogSide toward);

}  // namespace smc::internal::sst

#endif  // SMC_ENGINE_SESSION_TIMER_DIALOG_H_
