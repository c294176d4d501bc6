#include "session_timer_adapter.h"

#include <string>
#include <string_view>
#include <utility>

#include "sip_text.h"

namespace smc::proxy {
namespace {

bool TimersOn(const TrunkConfig* trunk) { return trunk && trunk->session_timer.enabled; }

std::string_view FirstValue(const SipMessage& m, HeaderId id) {
  const size_t i = m.FindHeader(id);
  return i == SipMessage::npos ? std::string_view() : m.header_value(i);
}

// The tag of a From or To value: a header parameter, after the <URI> when there is one.
std::string_view TagOf(std::string_view value) {
  size_t params_from = 0;
  if (const size_t lt = value.find('<'); lt != std::string_view::npos) {
    const size_t gt = value.find('>', lt);
    if (gt == std::string_view::npos) return {};
    params_from = gt + 1;
  }
  const size_t semi = value.find(';', params_from);
  if (semi == std::string_view::npos) return {};
  return FindParam(value.substr(semi), "tag").value_or(std::string_view());
}

const char* ExpiryOutcome(const SessionTimerExpiry& expiry) {
  if (expiry.action == SessionTimerPolicy::ExpiryAction::kForget) return "state dropped";
  switch (expiry.byes.size()) {
    case 2: return "BYE to both sides";
    case 1: return "BYE to one side (the other's target is unknown)";
    default: return "no BYE (no target known)";
  }
}

}  // namespace

SessionTimerAdapter::SessionTimerAdapter(SessionTimerAdapterDeps deps)
    : clock_(*deps.clock, deps.clock_scale),
      enforcer_(clock_),
      metrics_(deps.metrics),
      log_(std::move(deps.log)) {}

bool SessionTimerAdapter::Skip(const StageContext& context) const {
  if (TimersOn(context.sender) || TimersOn(context.receiver)) return false;
  // An initial transaction between two trunks without timers keeps that configuration
  // snapshot throughout: it can never be tracked.
  if (context.initial_request && context.sender && context.receiver) return true;
  return enforcer_.dialog_count() == 0;
}

bool SessionTimerAdapter::SentByCallee(const SipMessage& request) const {
  const std::string_view call_id = FirstValue(request, HeaderId::kCallId);
  if (enforcer_.FindSession(call_id, TagOf(FirstValue(request, HeaderId::kFrom)))) {
    return false;
  }
  return enforcer_.FindSession(call_id, TagOf(FirstValue(request, HeaderId::kTo))).has_value();
}

const SessionTimerPolicy& SessionTimerAdapter::PolicyFor(const SipMessage& request,
                                                         const StageContext& context) const {
  const TrunkConfig* caller = context.sender;
  const TrunkConfig* callee = context.receiver;
  if (!context.initial_request) {
    // Only INVITE and UPDATE are checked against a policy; the rest is bookkeeping.
    const std::string_view method = request.method();
    if (method != "INVITE" && method != "UPDATE") return disabled_;
    // With timers on at both ends, the dialog's policy is its caller's trunk's: find out
    // which end this request comes from.
    if (TimersOn(caller) && TimersOn(callee) && SentByCallee(request)) std::swap(caller, callee);
  }
  if (TimersOn(caller)) return caller->session_timer;
  if (TimersOn(callee)) return callee->session_timer;
  return disabled_;
}

StageVerdict SessionTimerAdapter::OnRequest(SipMessage& request, const StageContext& context) {
  StageVerdict out;
  if (Skip(context)) return out;
  const SessionTimerRequestVerdict verdict =
      enforcer_.OnRequest(PolicyFor(request, context), request);
  Publish();
  if (verdict.action == SessionTimerRequestVerdict::Action::kReject) {
    out.reply_status = 422;
    out.reason = std::string(kSessionIntervalTooSmall);
    out.reply_headers = {{"Min-SE", std::to_string(verdict.min_se)}};
    if (log_) {
      log_->debug("{} {}: Session-Expires below {}: 422", request.method(),
                  request.request_uri(), verdict.min_se);
    }
  }
  return out;
}

void SessionTimerAdapter::OnResponse(SipMessage& response, const StageContext& context) {
  if (Skip(context)) return;
  const SessionTimerResponseVerdict verdict = enforcer_.OnResponse(response);
  Publish();
  if (verdict.anomaly != SessionTimerAnomaly::kNone && log_) {
    log_->info("{} to {} (Call-ID {}): {}", response.status_code(),
               response.transaction_method(), FirstValue(response, HeaderId::kCallId),
               verdict.anomaly == SessionTimerAnomaly::kUnaskedSessionExpires
                   ? "Session-Expires that the request did not ask for (RFC 4028 anomaly; "
                     "its expiry will send no BYE)"
                   : "unreadable Session-Expires: the session timer is not armed");
  }
}

void SessionTimerAdapter::OnForwarded(const SipMessage& as_sent, const StageContext& context) {
  if (Skip(context)) return;
  enforcer_.NoteForwarded(as_sent);
}

std::optional<SessionTimerStage::TimePoint> SessionTimerAdapter::NextDeadline() const {
  const std::optional<Clock::time_point> next = enforcer_.NextDeadline();
  if (!next) return std::nullopt;
  return clock_.ToBase(*next);
}

std::vector<OriginatedRequest> SessionTimerAdapter::OnDeadline(TimePoint now) {
  std::vector<OriginatedRequest> out;
  std::vector<SessionTimerExpiry> expired = enforcer_.CollectExpired(clock_.FromBase(now));
  Publish();
  for (SessionTimerExpiry& expiry : expired) {
    if (log_) {
      log_->info("session timer expired (Call-ID {}): {}", expiry.call_id,
                 ExpiryOutcome(expiry));
    }
    for (SessionTimerBye& bye : expiry.byes) {
      out.push_back(OriginatedRequest{std::move(bye.request), std::move(bye.next_hop)});
    }
  }
  return out;
}

void SessionTimerAdapter::Publish() {
  if (metrics_ != nullptr) metrics_->Publish(enforcer_.counters());
}

}  // namespace smc::proxy
