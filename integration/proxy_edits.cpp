#include "proxy_edits.h"

#include <vector>

#include "sip_text.h"

namespace smc::proxy {
namespace {

std::string Join(const std::vector<std::string_view>& elements, size_t from) {
  std::string out;
  for (size_t i = from; i < elements.size(); ++i) {
    if (!out.empty()) out.append(", ");
    out.append(elements[i]);
  }
  return out;
}

// Removes the first element of the list header at line `i`; the line goes when it was the
// only one.
void RemoveFirstElement(SipMessage& m, size_t i, const std::vector<std::string_view>& elements) {
  if (elements.size() <= 1) {
    m.RemoveHeader(i);
  } else {
    m.SetHeaderValue(i, Join(elements, 1));
  }
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] >= 'a' && a[i] <= 'z' ? static_cast<char>(a[i] - 32) : a[i];
    const char y = b[i] >= 'a' && b[i] <= 'z' ? static_cast<char>(b[i] - 32) : b[i];
    if (x != y) return false;
  }
  return true;
}

}  // namespace

MaxForwardsResult DecrementMaxForwards(SipMessage& request) {
  const size_t i = request.FindHeader(HeaderId::kMaxForwards);
  if (i == SipMessage::npos) {
    request.InsertHeader(request.header_count(), "Max-Forwards",
                         std::to_string(kDefaultMaxForwards));
    return MaxForwardsResult::kInserted;
  }
  const std::string_view value = request.header_value(i);
  if (value.empty() || value.size() > 9) return MaxForwardsResult::kMalformed;
  int n = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return MaxForwardsResult::kMalformed;
    n = n * 10 + (c - '0');
  }
  if (n == 0) return MaxForwardsResult::kExhausted;
  request.SetHeaderValue(i, std::to_string(n - 1));
  return MaxForwardsResult::kDecremented;
}

int PopOwnRoutes(SipMessage& request, const IsSelfFn& is_self) {
  int removed = 0;
  for (;;) {
    const size_t i = request.FindHeader(HeaderId::kRoute);
    if (i == SipMessage::npos) break;
    const std::vector<std::string_view> elements = SplitHeaderList(request.header_value(i));
    if (elements.empty()) {
      request.RemoveHeader(i);  // an empty Route line routes nowhere
      continue;
    }
    const auto uri = ParseSipUri(NameAddrUri(elements.front()));
    if (!uri || !is_self(uri->host, uri->port_or_default())) break;
    RemoveFirstElement(request, i, elements);
    ++removed;
  }
  return removed;
}

std::optional<std::string> TopRouteUri(const SipMessage& request) {
  const size_t i = request.FindHeader(HeaderId::kRoute);
  if (i == SipMessage::npos) return std::nullopt;
  const std::vector<std::string_view> elements = SplitHeaderList(request.header_value(i));
  if (elements.empty()) return std::nullopt;
  return std::string(NameAddrUri(elements.front()));
}

void AddRecordRoute(SipMessage& request, std::string_view first, std::string_view second) {
  size_t pos = request.FindHeader(HeaderId::kRecordRoute);
  if (pos == SipMessage::npos) {
    // None yet: after the Via block, where a reader looks for routing headers.
    pos = 0;
    for (size_t v = request.FindHeader(HeaderId::kVia); v != SipMessage::npos;
         v = request.FindHeader(HeaderId::kVia, v + 1)) {
      pos = v + 1;
    }
  }
  const size_t at = request.InsertHeader(pos, "Record-Route", first);
  if (!second.empty() && at != SipMessage::npos) {
    request.InsertHeader(at + 1, "Record-Route", second);
  }
}

bool PopTopVia(SipMessage& response) {
  const size_t i = response.FindHeader(HeaderId::kVia);
  if (i == SipMessage::npos) return false;
  RemoveFirstElement(response, i, SplitHeaderList(response.header_value(i)));
  return true;
}

std::string_view ViaEntry(const SipMessage& message, int index) {
  for (size_t i = message.FindHeader(HeaderId::kVia); i != SipMessage::npos;
       i = message.FindHeader(HeaderId::kVia, i + 1)) {
    for (std::string_view e : SplitHeaderList(message.header_value(i))) {
      if (index-- == 0) return e;
    }
  }
  return std::string_view();
}

bool CreatesDialog(std::string_view method) {
  return EqualsIgnoreCase(method, "INVITE") || EqualsIgnoreCase(method, "SUBSCRIBE") ||
         EqualsIgnoreCase(method, "REFER") || EqualsIgnoreCase(method, "NOTIFY");
}

}  // namespace smc::proxy
