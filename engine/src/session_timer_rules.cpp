#include "session_timer_rules.h"

#include <algorithm>
#include <string>

#include "session_timer_headers.h"

namespace smc::internal::sst {

Limits EffectiveLimits(const SessionTimerPolicy& policy) {
  Limits limits;
  limits.min_se = std::max(policy.min_se, kAbsoluteMinSe);
  limits.session_expires = std::max(policy.session_expires, limits.min_se);
  if (policy.max_session_expires) {
    limits.max_session_expires = std::max(*policy.max_session_expires, limits.min_se);
    limits.session_expires = std::min(limits.session_expires, limits.max_session_expires);
  }
  return limits;
}

namespace {

// Raises (never lowers) the request's Min-SE to `floor`, inserting the header when absent.
void RaiseMinSe(SipMessage& request, const IntervalHeader& min_se, uint32_t floor) {
  if (!min_se.present()) {
    request.InsertHeader(request.header_count(), CanonicalHeaderName(HeaderId::kMinSE),
                         std::to_string(floor));
  } else if (!min_se.valid()) {
    request.SetHeaderValue(min_se.line, std::to_string(floor));
  } else if (min_se.value->seconds < floor) {
    SetIntervalSeconds(request, min_se.line, *min_se.value, floor);
  }
}

}  // namespace

RequestRuleResult ApplyRequestRules(const SessionTimerPolicy& policy, SipMessage& request,
                                    bool may_insert, std::optional<uint32_t> accepted_floor) {
  RequestRuleResult result;
  result.uac_supports_timer = HasOptionTag(request, HeaderId::kSupported, "timer");
  const IntervalHeader se = FindInterval(request, HeaderId::kSessionExpires);
  if (se.present() && !se.valid()) {
    // Neither raise nor 422 on a value we cannot read: the UAS will judge it.
    result.malformed = true;
    return result;
  }
  if (se.valid()) result.session_expires = se.value->seconds;
  if (!policy.enabled) return result;

  Limits limits = EffectiveLimits(policy);
  if (accepted_floor) {
    limits.min_se = std::max(kAbsoluteMinSe, std::min(limits.min_se, *accepted_floor));
  }
  const IntervalHeader min_se = FindInterval(request, HeaderId::kMinSE);
  // Absent (or unreadable, or below the RFC floor) counts as 90 (RFC 4028 section 5).
  const uint32_t request_min_se =
      min_se.valid() ? std::max(min_se.value->seconds, kAbsoluteMinSe) : kAbsoluteMinSe;

  if (se.valid()) {
    const uint32_t value = se.value->seconds;
    uint32_t wanted = value;
    if (value < limits.min_se) {
      if (result.uac_supports_timer && policy.reject_too_small) {
        result.reject = true;
        result.reject_min_se = limits.min_se;
        return result;
      }
      // A UAC that cannot handle 422 (or a policy that never sends it): raise Min-SE so that
      // the UAS cannot go below the proxy's minimum, and Session-Expires to match.
      RaiseMinSe(request, min_se, limits.min_se);
      wanted = std::max(limits.min_se, request_min_se);
    } else if (value < request_min_se) {
      // RFC 4028 8.1: an SE below the request's own Min-SE MUST be raised to it.
      wanted = request_min_se;
    } else if (limits.max_session_expires != 0 && value > limits.max_session_expires) {
      wanted = std::max(limits.max_session_expires, request_min_se);
    }
    if (wanted != value) {
      SetIntervalSeconds(request, se.line, *se.value, wanted);
      result.edit = wanted > value ? SessionExpiresEdit::kRaised : SessionExpiresEdit::kLowered;
      result.changed = true;
      result.session_expires = wanted;
    }
    return result;
  }

  if (may_insert && policy.insert_when_absent) {
    // No refresher parameter: the UAS chooses (RFC 4028 8.1).
    const uint32_t value = std::max(limits.session_expires, request_min_se);
    if (request.InsertHeader(request.header_count(),
                             CanonicalHeaderName(HeaderId::kSessionExpires),
                             std::to_string(value)) != SipMessage::npos) {
      result.edit = SessionExpiresEdit::kInserted;
      result.changed = true;
      result.session_expires = value;
    }
  }
  return result;
}

void InsertResponseSessionExpires(SipMessage& response, uint32_t seconds) {
  std::string value = std::to_string(seconds);
  value.append(";refresher=uac");
  response.InsertHeader(response.header_count(),
                        CanonicalHeaderName(HeaderId::kSessionExpires), value);
  AddOptionTag(response, HeaderId::kRequire, "timer");
}

}  // namespace smc::internal::sst
