// The RFC 4028 session-timer enforcer (engine/include/smc/session_timer.h) plugged into the
// proxy's SessionTimerStage seam.
//
// Which trunk's policy governs a dialog (docs/session-timers.md, "Which trunk's policy"):
// the policy of the trunk the initial INVITE came from when that trunk has timers enabled,
// else the policy of the trunk it goes to. So a trunk with timers on has them enforced on
// every call it takes part in, whichever side placed it; when both trunks have them on, the
// caller's trunk decides (its endpoint is the one a 422 answers). Re-INVITEs and UPDATEs
// of the dialog are checked against the same policy, whichever side sends them.
//
// When neither trunk of a message has timers enabled, the enforcer is skipped: no lookup,
// no parsing. Only while some dialog is tracked do in-dialog messages between such trunks
// still reach it, so that a reload that switches a trunk's timers off never blinds the
// enforcer to the refreshes and BYEs of calls it already tracks.
//
// The enforcer may run on a faster clock (ScaledClock, for tests); NextDeadline and
// OnDeadline speak the proxy's own time, and the conversion rounds so that no deadline is
// ever acted on early.
#ifndef SMC_INTEGRATION_SESSION_TIMER_ADAPTER_H_
#define SMC_INTEGRATION_SESSION_TIMER_ADAPTER_H_

#include <spdlog/logger.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "scaled_clock.h"
#include "session_timer_metrics.h"
#include "session_timer_stage.h"
#include "smc/clock.h"
#include "smc/proxy_config.h"
#include "smc/session_timer.h"
#include "smc/sip_message.h"

namespace smc::proxy {

struct SessionTimerAdapterDeps {
  // The proxy's time: what NextDeadline returns and OnDeadline is given (steady time in
  // smc-proxy). Required; must outlive the adapter.
  const Clock* clock = nullptr;
  // The enforcer's clock runs this many times faster than `clock` (1: real time).
  uint32_t clock_scale = 1;
  SessionTimerMetrics* metrics = nullptr;  // null: not exported
  std::shared_ptr<spdlog::logger> log;     // null: no log lines
};

class SessionTimerAdapter final : public SessionTimerStage {
 public:
  explicit SessionTimerAdapter(SessionTimerAdapterDeps deps);
  SessionTimerAdapter(const SessionTimerAdapter&) = delete;
  SessionTimerAdapter& operator=(const SessionTimerAdapter&) = delete;

  StageVerdict OnRequest(SipMessage& request, const StageContext& context) override;
  void OnResponse(SipMessage& response, const StageContext& context) override;
  void OnForwarded(const SipMessage& as_sent, const StageContext& context) override;
  std::optional<TimePoint> NextDeadline() const override;
  std::vector<OriginatedRequest> OnDeadline(TimePoint now) override;

  // For diagnostics and tests. Its times are on the enforcer's (possibly scaled) clock.
  const SessionTimerEnforcer& enforcer() const { return enforcer_; }

 private:
  // True when neither trunk has timers enabled and the message cannot belong to a
  // tracked dialog.
  bool Skip(const StageContext& context) const;
  // The policy `request` is checked against (a disabled one when no trunk has timers on).
  const SessionTimerPolicy& PolicyFor(const SipMessage& request,
                                      const StageContext& context) const;
  // True when the sender of in-dialog `request` is the callee of a tracked dialog.
  bool SentByCallee(const SipMessage& request) const;
  void Publish();

  ScaledClock clock_;
  SessionTimerEnforcer enforcer_;  // runs on clock_
  SessionTimerPolicy disabled_;    // the default policy: off
  SessionTimerMetrics* metrics_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace smc::proxy

#endif  // SMC_INTEGRATION_SESSION_TIMER_ADAPTER_H_
