// The seam where RFC 4028 session-timer enforcement plugs into the proxy's pipeline.
//
// For a message going from trunk A to trunk B the proxy runs:
//   request:  ingress profiles of A -> OnRequest -> egress profiles of B -> the proxy's
//             Record-Route -> OnForwarded (the message as sent, without nta's Via) -> wire
//   response: [the proxy's Via removed] ingress profiles of B -> OnResponse -> egress
//             profiles of A -> OnForwarded -> wire
//   timer:    when NextDeadline() has passed, OnDeadline(now); the requests it returns
//             (BYEs) are sent through the egress profiles of the trunk they go to.
// The stage sees and may edit the engine's message (never a sofia type), and may answer a
// request itself (a 422, say) instead of letting it be forwarded. Every request the proxy
// forwards goes through OnRequest (ACK and in-dialog ones included); every response it
// relays through OnResponse (2xx retransmissions included), and so does a final answer the
// proxy makes itself to a request it had forwarded (a 408 after a timeout, a 503 after a
// transport error). Everything runs on the proxy's one thread. The default stage
// (PassThroughSessionTimerStage) does nothing.
#ifndef SMC_INTEGRATION_SESSION_TIMER_STAGE_H_
#define SMC_INTEGRATION_SESSION_TIMER_STAGE_H_

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "smc/proxy_config.h"
#include "smc/sip_message.h"

namespace smc::proxy {

struct StageContext {
  // The trunk the message was received from; null for a source that matches no trunk
  // (and for the proxy's own answers).
  const TrunkConfig* sender = nullptr;
  // The trunk the message is sent to; null when the next hop matches no trunk.
  const TrunkConfig* receiver = nullptr;
  // The message is, or answers, a request without a To tag (it may create a dialog).
  bool initial_request = false;
};

struct StageVerdict {
  // 0: go on (forward the request). A status 300..699 makes the proxy answer the request
  // with that status, `reason` (empty: the standard phrase) and these extra header lines
  // ({name, value}, e.g. {"Min-SE", "1800"}) instead of forwarding it. Ignored for ACK.
  int reply_status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> reply_headers;
};

// A request the stage originates (a BYE when a session expires).
struct OriginatedRequest {
  // A complete request without Via (nta adds the proxy's), CRLF line ends.
  std::string message;
  // Where to send it: a sip: URI (the first Route entry, or the Request-URI).
  std::string next_hop;
};

class SessionTimerStage {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~SessionTimerStage() = default;

  virtual StageVerdict OnRequest(SipMessage& request, const StageContext& context) = 0;
  virtual void OnResponse(SipMessage& response, const StageContext& context) = 0;
  virtual void OnForwarded(const SipMessage& as_sent, const StageContext& context) = 0;
  // The earliest time OnDeadline should run; nullopt when nothing is pending. The proxy
  // looks every 250 ms: it acts at or after the deadline, never before.
  virtual std::optional<TimePoint> NextDeadline() const = 0;
  virtual std::vector<OriginatedRequest> OnDeadline(TimePoint now) = 0;
};

// What the proxy runs until an enforcer is plugged in: leaves every message alone.
class PassThroughSessionTimerStage final : public SessionTimerStage {
 public:
  StageVerdict OnRequest(SipMessage&, const StageContext&) override { return {}; }
  void OnResponse(SipMessage&, const StageContext&) override {}
  void OnForwarded(const SipMessage&, const StageContext&) override {}
  std::optional<TimePoint> NextDeadline() const override { return std::nullopt; }
  std::vector<OriginatedRequest> OnDeadline(TimePoint) override { return {}; }
};

}  // namespace smc::proxy

#endif  // SMC_INTEGRATION_SESSION_TIMER_STAGE_H_
