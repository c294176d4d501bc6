// The session-timer enforcer: dialog tracking around the RFC 4028 rules of
// session_timer_rules.cpp, and the deadline index the proxy's single timer follows.
#include "smc/session_timer.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "session_timer_dialog.h"
#include "session_timer_headers.h"
#include "session_timer_rules.h"

namespace smc {

using internal::sst::AddressUri;
using internal::sst::CSeqValue;
using internal::sst::Dialog;
using internal::sst::DialogField;
using internal::sst::FindInterval;
using internal::sst::FirstValue;
using internal::sst::HeaderParam;
using internal::sst::Index;
using internal::sst::IntervalHeader;
using internal::sst::ListElements;
using internal::sst::Method;
using internal::sst::Other;
using internal::sst::ParseCSeq;
using internal::sst::PendingTransaction;
using internal::sst::Refresher;
using internal::sst::RefresherSide;

namespace {

// Method names are case-sensitive (RFC 3261 7.1).
Method MethodOf(std::string_view name) {
  if (name == "INVITE") return Method::kInvite;
  if (name == "UPDATE") return Method::kUpdate;
  return Method::kNone;
}

struct MessageIds {
  std::string_view call_id;
  std::string_view from_tag;
  std::string_view to_tag;
};

MessageIds IdsOf(const SipMessage& message) {
  MessageIds ids;
  ids.call_id = FirstValue(message, HeaderId::kCallId);
  ids.from_tag = HeaderParam(FirstValue(message, HeaderId::kFrom), "tag").value_or("");
  ids.to_tag = HeaderParam(FirstValue(message, HeaderId::kTo), "tag").value_or("");
  return ids;
}

std::optional<CSeqValue> CSeqOf(const SipMessage& message) {
  return ParseCSeq(FirstValue(message, HeaderId::kCSeq));
}

RefresherSide SideOf(DialogSide side) {
  return side == DialogSide::kCaller ? RefresherSide::kCaller : RefresherSide::kCallee;
}

std::string JoinList(const std::vector<std::string_view>& elements) {
  std::string out;
  for (std::string_view e : elements) {
    if (!out.empty()) out.append(", ");
    out.append(e);
  }
  return out;
}

PendingTransaction* FindPending(Dialog& dialog, uint32_t cseq, Method method, DialogSide uac) {
  for (PendingTransaction& p : dialog.pending) {
    if (p.method == method && p.cseq == cseq && p.uac == uac) return &p;
  }
  return nullptr;
}

// A free slot; with both taken (a third transaction before two answers), the second is
// reused: its answer will then neither refresh nor end anything.
PendingTransaction& SlotFor(Dialog& dialog, uint32_t cseq, Method method, DialogSide uac) {
  if (PendingTransaction* same = FindPending(dialog, cseq, method, uac)) return *same;
  for (PendingTransaction& p : dialog.pending) {
    if (p.method == Method::kNone) return p;
  }
  return dialog.pending.back();
}

}  // namespace

struct SessionTimerEnforcer::Impl {
  using DialogMap = std::unordered_map<std::string, Dialog>;
  using Entry = DialogMap::value_type;
  struct DeadlineLess {
    bool operator()(const std::pair<Clock::time_point, Entry*>& a,
                    const std::pair<Clock::time_point, Entry*>& b) const {
      if (a.first != b.first) return a.first < b.first;
      return std::less<Entry*>()(a.second, b.second);
    }
  };

  explicit Impl(const Clock& c) : clock(c) {}

  // The map's nodes never move, so the index can point at them.
  struct Found {
    Entry* entry = nullptr;
    DialogSide sender = DialogSide::kCaller;  // who sent the request (of a response: its UAC)
  };

  const std::string& MakeKey(std::string_view call_id, std::string_view caller_tag) {
    key.assign(call_id);
    key.push_back('\n');  // cannot occur in a header value
    key.append(caller_tag);
    return key;
  }

  Found Locate(const MessageIds& ids) {
    if (ids.call_id.empty()) return {};
    if (!ids.from_tag.empty()) {
      auto it = dialogs.find(MakeKey(ids.call_id, ids.from_tag));
      if (it != dialogs.end()) {
        const Dialog& d = it->second;
        // Another fork's dialog shares Call-ID and From tag; only the first 2xx is tracked.
        if (d.confirmed && !ids.to_tag.empty() &&
            ids.to_tag != d.text.Get(DialogField::kCalleeTag)) {
          return {};
        }
        return {&*it, DialogSide::kCaller};
      }
    }
    if (!ids.to_tag.empty()) {
      auto it = dialogs.find(MakeKey(ids.call_id, ids.to_tag));
      if (it != dialogs.end()) {
        const Dialog& d = it->second;
        if (!d.confirmed || ids.from_tag == d.text.Get(DialogField::kCalleeTag)) {
          return {&*it, DialogSide::kCallee};
        }
      }
    }
    return {};
  }

  void SetDeadline(Entry& entry, Clock::time_point when) {
    deadlines.erase({entry.second.deadline, &entry});
    entry.second.deadline = when;
    deadlines.insert({when, &entry});
  }

  void Erase(Entry& entry) {
    deadlines.erase({entry.second.deadline, &entry});
    if (entry.second.confirmed) {
      --counters.sessions;
    } else {
      --counters.pending;
    }
    dialogs.erase(dialogs.find(entry.first));
  }

  // Starts (or restarts, for a new INVITE of the same caller before any answer) tracking
  // of an initial INVITE. False when the dialog cannot be tracked.
  bool TrackInitialInvite(const SessionTimerPolicy& policy, const SipMessage& invite,
                          const MessageIds& ids, const CSeqValue& cseq, uint32_t request_se,
                          bool uac_supports_timer) {
    if (ids.from_tag.empty()) return false;
    auto [it, inserted] = dialogs.try_emplace(MakeKey(ids.call_id, ids.from_tag));
    Entry& entry = *it;
    Dialog& d = entry.second;
    if (inserted) {
      ++counters.pending;
      deadlines.insert({d.deadline, &entry});
    }
    const std::vector<std::string_view> record_route = ListElements(invite, HeaderId::kRecordRoute);
    bool ok = d.text.Set(DialogField::kFromRx, FirstValue(invite, HeaderId::kFrom)) &&
              d.text.Set(DialogField::kToRx, FirstValue(invite, HeaderId::kTo)) &&
              d.text.Set(DialogField::kCallerContact,
                         AddressUri(FirstValue(invite, HeaderId::kContact))) &&
              d.text.Set(DialogField::kRouteToCaller, JoinList(record_route));
    if (!ok) {
      Erase(entry);
      return false;
    }
    d.max_cseq[Index(DialogSide::kCaller)] = cseq.number;
    d.rr_forwarded = static_cast<uint16_t>(std::min<size_t>(record_route.size(), 0xffff));
    d.on_expiry = policy.on_expiry;
    d.pending = {};
    PendingTransaction& p = d.pending.front();
    p.cseq = cseq.number;
    p.method = Method::kInvite;
    p.uac = DialogSide::kCaller;
    p.request_se = request_se;
    p.uac_supports_timer = uac_supports_timer;
    p.enforce = policy.enabled;
    SetDeadline(entry, clock.Now() + kUnansweredInviteLifetime);
    return true;
  }

  // The 2xx to the initial INVITE: what the BYEs toward the callee need.
  bool Confirm(Dialog& d, const SipMessage& response, std::string_view callee_tag) {
    // The 2xx lists every Record-Route of the path, the callee's side on top. Those the
    // INVITE did not carry when the proxy sent it on are the hops toward the callee, nearest
    // last: reversed, they are the route set from here to the callee.
    std::vector<std::string_view> record_route = ListElements(response, HeaderId::kRecordRoute);
    const size_t downstream =
        record_route.size() > d.rr_forwarded ? record_route.size() - d.rr_forwarded : 0;
    record_route.resize(downstream);
    std::reverse(record_route.begin(), record_route.end());
    return d.text.Set(DialogField::kCalleeTag, callee_tag) &&
           d.text.Set(DialogField::kCalleeContact,
                      AddressUri(FirstValue(response, HeaderId::kContact))) &&
           d.text.Set(DialogField::kRouteToCallee, JoinList(record_route));
  }

  // Target refresh (RFC 3261 12.2): a re-INVITE/UPDATE or its 2xx may move a remote target.
  static void UpdateContact(Dialog& d, const SipMessage& message, DialogSide of) {
    std::string_view uri = AddressUri(FirstValue(message, HeaderId::kContact));
    if (uri.empty() || uri == "*") return;
    d.text.Set(of == DialogSide::kCaller ? DialogField::kCallerContact
                                         : DialogField::kCalleeContact,
               uri);
  }

  const Clock& clock;
  DialogMap dialogs;
  std::set<std::pair<Clock::time_point, Entry*>, DeadlineLess> deadlines;
  SessionTimerCounters counters;
  std::string key;  // scratch for lookups
};

SessionTimerEnforcer::SessionTimerEnforcer(const Clock& clock)
    : impl_(std::make_unique<Impl>(clock)) {}

SessionTimerEnforcer::~SessionTimerEnforcer() = default;

SessionTimerRequestVerdict SessionTimerEnforcer::OnRequest(const SessionTimerPolicy& policy,
                                                           SipMessage& request) {
  SessionTimerRequestVerdict verdict;
  if (!request.is_request()) return verdict;
  Impl& s = *impl_;
  const MessageIds ids = IdsOf(request);
  const Impl::Found found = s.Locate(ids);
  const std::optional<CSeqValue> cseq = CSeqOf(request);
  Dialog* d = found.entry ? &found.entry->second : nullptr;
  if (d && cseq) {
    uint32_t& max = d->max_cseq[Index(found.sender)];
    max = std::max(max, cseq->number);
  }
  const std::string_view method_name = request.method();
  if (method_name == "BYE") {
    if (found.entry) s.Erase(*found.entry);
    return verdict;
  }
  const Method method = MethodOf(method_name);
  if (method == Method::kNone) return verdict;

  const bool initial = method == Method::kInvite && ids.to_tag.empty();
  const bool confirmed = d && d->confirmed;
  const bool may_insert = initial ? !confirmed : confirmed;
  std::optional<uint32_t> accepted_floor;
  if (confirmed && !initial && d->shown_min != 0) accepted_floor = d->shown_min;
  const internal::sst::RequestRuleResult rules =
      internal::sst::ApplyRequestRules(policy, request, may_insert, accepted_floor);
  if (rules.malformed) ++s.counters.anomalies;
  if (rules.reject) {
    ++s.counters.rejected;
    verdict.action = SessionTimerRequestVerdict::Action::kReject;
    verdict.min_se = rules.reject_min_se;
    return verdict;
  }
  verdict.edit = rules.edit;
  verdict.changed = rules.changed;
  switch (rules.edit) {
    case SessionExpiresEdit::kInserted: ++s.counters.inserted; break;
    case SessionExpiresEdit::kRaised: ++s.counters.raised; break;
    case SessionExpiresEdit::kLowered: ++s.counters.lowered; break;
    case SessionExpiresEdit::kNone: break;
  }
  if (!cseq) return verdict;

  if (initial) {
    if (policy.enabled && !confirmed) {
      s.TrackInitialInvite(policy, request, ids, *cseq, rules.session_expires,
                           rules.uac_supports_timer);
    }
    return verdict;
  }
  // Requests of an early dialog are not refreshes: only the INVITE's 2xx arms the timer.
  if (!confirmed) return verdict;
  Impl::UpdateContact(*d, request, found.sender);
  PendingTransaction& p = SlotFor(*d, cseq->number, method, found.sender);
  p.cseq = cseq->number;
  p.method = method;
  p.uac = found.sender;
  p.request_se = rules.session_expires;
  p.uac_supports_timer = rules.uac_supports_timer;
  p.enforce = policy.enabled;
  return verdict;
}

SessionTimerResponseVerdict SessionTimerEnforcer::OnResponse(SipMessage& response) {
  SessionTimerResponseVerdict verdict;
  if (response.is_request() || response.status_code() < 200) return verdict;
  const std::optional<CSeqValue> cseq = CSeqOf(response);
  if (!cseq) return verdict;
  const Method method = MethodOf(cseq->method);
  if (method == Method::kNone) return verdict;
  Impl& s = *impl_;
  const MessageIds ids = IdsOf(response);
  const Impl::Found found = s.Locate(ids);
  if (!found.entry) return verdict;
  Impl::Entry& entry = *found.entry;
  Dialog& d = entry.second;
  const DialogSide uac = found.sender;
  const bool success = response.status_code() < 300;

  PendingTransaction* pending = FindPending(d, cseq->number, method, uac);
  if (pending == nullptr) {
    // A retransmission of the 2xx that armed the session must look like the first copy:
    // the UAC may never have received that one.
    if (success && d.confirmed && d.inserted_se != 0 && d.answered_cseq == cseq->number &&
        d.answered_method == method && d.answered_uac == uac &&
        !response.HasHeader(HeaderId::kSessionExpires)) {
      internal::sst::InsertResponseSessionExpires(response, d.inserted_se);
      verdict.changed = true;
    }
    return verdict;
  }
  const PendingTransaction txn = *pending;
  *pending = PendingTransaction{};
  const bool initial = !d.confirmed;

  if (!success) {
    // A failed initial INVITE ends the dialog; a failed refresh (491, 422, 488, 401, 500)
    // neither refreshes nor ends the session (RFC 4028 10).
    if (initial) s.Erase(entry);
    return verdict;
  }

  const DialogSide responder = Other(uac);
  if (initial) {
    if (ids.to_tag.empty() || !s.Confirm(d, response, ids.to_tag)) {
      s.Erase(entry);
      return verdict;
    }
  } else {
    Impl::UpdateContact(d, response, responder);
  }

  const IntervalHeader se = FindInterval(response, HeaderId::kSessionExpires);
  uint32_t interval = 0;
  if (se.valid() && se.value->seconds > 0) {
    // RFC 4028 8.2: interval and refresher come from the 2xx, which is forwarded as is.
    // `refresher` names the UAC or UAS of THIS transaction.
    interval = se.value->seconds;
    switch (se.value->refresher) {
      case Refresher::kUac: d.refresher = SideOf(uac); break;
      case Refresher::kUas: d.refresher = SideOf(responder); break;
      case Refresher::kNone: d.refresher = RefresherSide::kUnknown; break;
    }
    d.inserted_se = 0;
    d.bye_allowed = txn.request_se != 0;
    if (txn.request_se == 0) {
      verdict.anomaly = SessionTimerAnomaly::kUnaskedSessionExpires;
      ++s.counters.anomalies;
    }
  } else if (se.present()) {
    verdict.anomaly = SessionTimerAnomaly::kMalformedSessionExpires;
    ++s.counters.anomalies;
  } else if (txn.enforce && txn.request_se != 0 && txn.uac_supports_timer) {
    // RFC 4028 8.2: the UAS does not do timers but the UAC does: make the UAC the refresher.
    internal::sst::InsertResponseSessionExpires(response, txn.request_se);
    verdict.changed = true;
    ++s.counters.inserted_in_response;
    interval = txn.request_se;
    d.refresher = SideOf(uac);
    d.inserted_se = interval;
    d.bye_allowed = true;
  }

  if (initial) {
    d.confirmed = true;
    --s.counters.pending;
    ++s.counters.sessions;
  }
  if (interval == 0) {
    // No session timer in this session any more (RFC 4028 7.2, 8.2, 10): nothing to enforce.
    ++s.counters.disarmed;
    verdict.disarmed = true;
    s.Erase(entry);
    return verdict;
  }
  if (!initial) ++s.counters.refreshed;
  d.interval = interval;
  d.shown_min = interval;
  d.answered_cseq = cseq->number;
  d.answered_method = method;
  d.answered_uac = uac;
  d.awaiting_note = true;
  s.SetDeadline(entry, s.clock.Now() + std::chrono::seconds(interval));
  verdict.armed = true;
  return verdict;
}

void SessionTimerEnforcer::NoteForwarded(const SipMessage& as_sent) {
  Impl& s = *impl_;
  const std::optional<CSeqValue> cseq = CSeqOf(as_sent);
  if (!cseq) return;
  const Method method = MethodOf(as_sent.is_request() ? as_sent.method() : cseq->method);
  if (method == Method::kNone) return;
  const MessageIds ids = IdsOf(as_sent);
  const Impl::Found found = s.Locate(ids);
  if (!found.entry) return;
  Impl::Entry& entry = *found.entry;
  Dialog& d = entry.second;
  const IntervalHeader se = FindInterval(as_sent, HeaderId::kSessionExpires);
  const uint32_t seconds = se.valid() ? se.value->seconds : 0;

  if (as_sent.is_request()) {
    PendingTransaction* p = FindPending(d, cseq->number, method, found.sender);
    if (p == nullptr) return;
    // What the UAS was asked for decides whether a Session-Expires in its 2xx was asked for.
    p->request_se = seconds;
    if (!d.confirmed && ids.to_tag.empty()) {
      // The proxy's own Record-Route (and any an egress profile added) is now in the list:
      // the 2xx's entries above these lead to the callee.
      d.rr_forwarded = static_cast<uint16_t>(
          std::min<size_t>(ListElements(as_sent, HeaderId::kRecordRoute).size(), 0xffff));
      const std::string_view from = FirstValue(as_sent, HeaderId::kFrom);
      const std::string_view to = FirstValue(as_sent, HeaderId::kTo);
      d.text.Set(DialogField::kFromTx,
                 from == d.text.Get(DialogField::kFromRx) ? std::string_view() : from);
      d.text.Set(DialogField::kToTx,
                 to == d.text.Get(DialogField::kToRx) ? std::string_view() : to);
    }
    return;
  }

  if (as_sent.status_code() < 200 || as_sent.status_code() >= 300) return;
  if (!d.confirmed || !d.awaiting_note || d.answered_cseq != cseq->number ||
      d.answered_method != method || d.answered_uac != found.sender) {
    return;
  }
  d.awaiting_note = false;
  if (seconds == 0) {
    // The requester was shown no session timer (a profile removed Session-Expires): it
    // considers the session unlimited, so the proxy must never end it with a BYE. The
    // deadline stays, to free the state.
    d.bye_allowed = false;
    return;
  }
  d.shown_min = std::min(d.shown_min, seconds);
  if (seconds > d.interval) {
    // Largest interval either endpoint was shown, counted from the same 2xx.
    const Clock::time_point answered_at = d.deadline - std::chrono::seconds(d.interval);
    d.interval = seconds;
    s.SetDeadline(entry, answered_at + std::chrono::seconds(seconds));
  }
}

void SessionTimerEnforcer::OnDialogEnd(const SipMessage& message) {
  const Impl::Found found = impl_->Locate(IdsOf(message));
  if (found.entry) impl_->Erase(*found.entry);
}

std::optional<Clock::time_point> SessionTimerEnforcer::NextDeadline() const {
  if (impl_->deadlines.empty()) return std::nullopt;
  return impl_->deadlines.begin()->first;
}

std::vector<SessionTimerExpiry> SessionTimerEnforcer::CollectExpired(Clock::time_point now) {
  Impl& s = *impl_;
  std::vector<SessionTimerExpiry> out;
  // Each pass removes one dialog: bounded by the number tracked.
  while (!s.deadlines.empty() && s.deadlines.begin()->first <= now) {
    Impl::Entry& entry = *s.deadlines.begin()->second;
    const Dialog& d = entry.second;
    if (!d.confirmed) {
      ++s.counters.abandoned;
      s.Erase(entry);
      continue;
    }
    const std::string_view key = entry.first;
    const size_t split = key.find('\n');
    const std::string_view call_id = key.substr(0, split);
    const std::string_view caller_tag = key.substr(split + 1);
    SessionTimerExpiry expiry;
    expiry.call_id = std::string(call_id);
    if (d.on_expiry == SessionTimerPolicy::ExpiryAction::kBye && d.bye_allowed) {
      expiry.action = SessionTimerPolicy::ExpiryAction::kBye;
      for (DialogSide side : {DialogSide::kCaller, DialogSide::kCallee}) {
        std::optional<SessionTimerBye> bye =
            internal::sst::BuildExpiryBye(d, call_id, caller_tag, side);
        if (bye) {
          expiry.byes.push_back(std::move(*bye));
          ++s.counters.byes;
        }
      }
    }
    ++s.counters.expired;
    s.Erase(entry);
    out.push_back(std::move(expiry));
  }
  return out;
}

std::optional<SessionTimerSessionInfo> SessionTimerEnforcer::FindSession(
    std::string_view call_id, std::string_view caller_tag) const {
  std::string key(call_id);
  key.push_back('\n');
  key.append(caller_tag);
  auto it = impl_->dialogs.find(key);
  if (it == impl_->dialogs.end()) return std::nullopt;
  const Dialog& d = it->second;
  SessionTimerSessionInfo info;
  info.confirmed = d.confirmed;
  info.expires_at = d.deadline;
  info.interval = d.interval;
  if (d.refresher == RefresherSide::kCaller) info.refresher = DialogSide::kCaller;
  if (d.refresher == RefresherSide::kCallee) info.refresher = DialogSide::kCallee;
  info.bye_on_expiry =
      d.on_expiry == SessionTimerPolicy::ExpiryAction::kBye && d.bye_allowed;
  return info;
}

size_t SessionTimerEnforcer::dialog_count() const { return impl_->dialogs.size(); }

const SessionTimerCounters& SessionTimerEnforcer::counters() const { return impl_->counters; }

}  // namespace smc
