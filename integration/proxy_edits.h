// The proxy's own RFC 3261 edits (section 16.6), made on the engine's message so that one
// sofia -> engine -> sofia conversion carries them together with the profiles' edits.
#ifndef SMC_INTEGRATION_PROXY_EDITS_H_
#define SMC_INTEGRATION_PROXY_EDITS_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "smc/sip_message.h"

namespace smc::proxy {

enum class MaxForwardsResult {
  kDecremented,  // it was N > 0 and is now N - 1
  kInserted,     // there was none: "Max-Forwards: 70" was added
  kExhausted,    // it is 0: the request must be answered with 483
  kMalformed,    // not a decimal number
};

// The Max-Forwards value a request gets when it has none.
constexpr int kDefaultMaxForwards = 70;

MaxForwardsResult DecrementMaxForwards(SipMessage& request);

// True when a URI's host:port names this proxy.
using IsSelfFn = std::function<bool(std::string_view host, uint16_t port)>;

// Removes the Route entries at the top of the route set that name this proxy (a request
// record-routed through it, or through it twice when it changed transports). Returns how
// many were removed.
int PopOwnRoutes(SipMessage& request, const IsSelfFn& is_self);

// The URI of the first Route entry; nullopt without Route.
std::optional<std::string> TopRouteUri(const SipMessage& request);

// Adds Record-Route entries (full values, "<sip:...;lr>") above any existing one: `first`
// ends up topmost. `second` may be empty.
void AddRecordRoute(SipMessage& request, std::string_view first, std::string_view second);

// Removes the topmost Via entry (the proxy's own, on a response). False without Via.
bool PopTopVia(SipMessage& response);

// The topmost Via entry, and the one below it (where a response goes next); "" when absent.
std::string_view ViaEntry(const SipMessage& message, int index);

// True for the methods whose initial request creates a dialog the proxy must stay on.
bool CreatesDialog(std::string_view method);

}  // namespace smc::proxy

#endif  // SMC_INTEGRATION_PROXY_EDITS_H_
