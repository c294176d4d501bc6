// Reading the few SIP syntax elements the proxy routes by, from header values as the engine
// gives them (text, not sofia structures): URIs in Route, Record-Route and the Request-URI,
// and the sent-by of a Via.
#ifndef SMC_INTEGRATION_SIP_TEXT_H_
#define SMC_INTEGRATION_SIP_TEXT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smc::proxy {

struct SipUriParts {
  bool secure = false;     // sips:
  std::string_view user;   // "" when there is no user part
  std::string_view host;   // without the brackets of an IPv6 reference
  uint16_t port = 0;       // 0 when not written
  std::string_view params; // what follows the first ';' (without '?headers')
  // The port to use: the written one, else 5060 (5061 for sips).
  uint16_t port_or_default() const { return port ? port : (secure ? 5061 : 5060); }
};

// Parses a sip: or sips: URI (scheme case-insensitive). nullopt for any other scheme or a
// malformed host or port.
std::optional<SipUriParts> ParseSipUri(std::string_view uri);

// Whether a request may carry this Request-URI (RFC 3261 25.1: SIP-URI, SIPS-URI or
// absoluteURI): a scheme (RFC 3986 3.1) and a colon with something after it; for sip: and
// sips:, a host and a port that ParseSipUri accepts.
bool IsValidRequestUri(std::string_view uri);

// The value of URI or header parameter `name` (case-insensitive) in ";a=1;lr" style text
// (a leading ';' is optional): "" for a parameter without value, nullopt when absent.
std::optional<std::string_view> FindParam(std::string_view params, std::string_view name);

// The URI of a name-addr (`"Bob" <sip:b@x>;p=1` gives `sip:b@x`) or of an addr-spec
// (`sip:b@x;p=1` gives `sip:b@x;p=1`: without <> its parameters cannot be told apart).
std::string_view NameAddrUri(std::string_view value);

// Splits a header value holding a comma-separated list (Via, Route, Record-Route) into its
// elements, trimmed; commas inside quotes or <> do not split.
std::vector<std::string_view> SplitHeaderList(std::string_view value);

struct ViaParts {
  std::string_view transport;  // "UDP", "TCP" as written
  std::string_view host;       // sent-by host, brackets removed
  uint16_t port = 0;           // 0 when not written
  std::string_view params;
};
// Parses one Via element: "SIP/2.0/UDP host:port;branch=...".
std::optional<ViaParts> ParseVia(std::string_view via);

// Lower-cased host; an IP literal in its canonical text form, so that the same address
// written two ways compares equal.
std::string CanonicalHost(std::string_view host);

}  // namespace smc::proxy

#endif  // SMC_INTEGRATION_SIP_TEXT_H_
