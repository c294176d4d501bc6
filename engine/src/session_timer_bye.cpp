// The BYE a proxy in kBye mode sends to each side of an expired session, built from the
// dialog state alone: Request-URI and Route from that side's remote target and route set,
// From/To/CSeq as the other side would have sent them (RFC 3261 12.2.1.1, 15.1.1).
#include <string>
#include <vector>

#include "session_timer_dialog.h"
#include "session_timer_headers.h"

namespace smc::internal::sst {
namespace {

// The text of the Reason header (RFC 3326) on every expiry BYE: 408, as the refresh that
// never came is a request timeout of the dialog.
constexpr std::string_view kReason = "SIP;cause=408;text=\"Session timer expired\"";

std::string WithTag(std::string_view address, std::string_view tag) {
  std::string out(address);
  if (!HeaderParam(address, "tag").has_value() && !tag.empty()) {
    out.append(";tag=");
    out.append(tag);
  }
  return out;
}

void AppendLine(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

}  // namespace

std::optional<SessionTimerBye> BuildExpiryBye(const Dialog& dialog, std::string_view call_id,
                                              std::string_view caller_tag, DialogSide toward) {
  const bool to_callee = toward == DialogSide::kCallee;
  const DialogText& text = dialog.text;
  const std::string_view target =
      text.Get(to_callee ? DialogField::kCalleeContact : DialogField::kCallerContact);
  if (target.empty()) return std::nullopt;
  const std::vector<std::string_view> route_set = SplitHeaderList(
      text.Get(to_callee ? DialogField::kRouteToCallee : DialogField::kRouteToCaller));
  const std::string_view callee_tag = text.Get(DialogField::kCalleeTag);

  // Each side gets the From/To it knows the dialog by: the callee those of the INVITE as it
  // received it, the caller those of the INVITE as it sent it (profiles may have rewritten
  // the URIs in between; the tags are the same).
  std::string from;
  std::string to;
  if (to_callee) {
    std::string_view from_tx = text.Get(DialogField::kFromTx);
    std::string_view to_tx = text.Get(DialogField::kToTx);
    from = std::string(from_tx.empty() ? text.Get(DialogField::kFromRx) : from_tx);
    to = WithTag(to_tx.empty() ? text.Get(DialogField::kToRx) : to_tx, callee_tag);
  } else {
    from = WithTag(text.Get(DialogField::kToRx), callee_tag);
    to = WithTag(text.Get(DialogField::kFromRx), caller_tag);
  }
  // The BYE speaks for the other side, so it continues that side's CSeq space.
  const uint32_t cseq =
      dialog.max_cseq[Index(to_callee ? DialogSide::kCaller : DialogSide::kCallee)] + 1;

  SessionTimerBye bye;
  bye.toward = toward;
  std::string request_uri;
  std::vector<std::string> routes;
  if (!route_set.empty() && !UriHasLr(AddressUri(route_set.front()))) {
    // Strict router first (RFC 3261 12.2.1.1): it becomes the Request-URI and the remote
    // target goes last in Route.
    request_uri = std::string(AddressUri(route_set.front()));
    for (size_t i = 1; i < route_set.size(); ++i) routes.emplace_back(route_set[i]);
    routes.push_back("<" + std::string(target) + ">");
    bye.next_hop = request_uri;
  } else {
    request_uri = std::string(target);
    for (std::string_view r : route_set) routes.emplace_back(r);
    bye.next_hop = std::string(route_set.empty() ? target : AddressUri(route_set.front()));
  }

  std::string& out = bye.request;
  out.reserve(256 + from.size() + to.size() + call_id.size() + request_uri.size());
  out.append("BYE ");
  out.append(request_uri);
  out.append(" SIP/2.0\r\n");
  for (const std::string& r : routes) AppendLine(out, "Route", r);
  AppendLine(out, "Max-Forwards", "70");
  AppendLine(out, "From", from);
  AppendLine(out, "To", to);
  AppendLine(out, "Call-ID", call_id);
  AppendLine(out, "CSeq", std::to_string(cseq) + " BYE");
  AppendLine(out, "Reason", kReason);
  AppendLine(out, "Content-Length", "0");
  out.append("\r\n");
  return bye;
}

}  // namespace smc::internal::sst
