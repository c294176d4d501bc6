// Reading and writing the header fields the session-timer enforcer works with:
// Session-Expires / Min-SE (RFC 4028 sections 4, 5), option tags in Supported / Require, and
// the parts of From, To, Contact, Record-Route and CSeq that dialog tracking needs.
// Internal to the engine.
#ifndef SMC_ENGINE_SESSION_TIMER_HEADERS_H_
#define SMC_ENGINE_SESSION_TIMER_HEADERS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smc/header_names.h"
#include "smc/sip_message.h"

namespace smc::internal::sst {

// RFC 4028 section 5: an absent Min-SE means 90 s, and nobody may go below it.
inline constexpr uint32_t kAbsoluteMinSe = 90;

enum class Refresher : uint8_t { kNone, kUac, kUas };

// "delta-seconds *(SEMI param)": the value of a Session-Expires or Min-SE line.
struct IntervalValue {
  uint32_t seconds = 0;  // values beyond 2^32-1 read as 2^32-1 (RFC 3261 delta-seconds)
  Refresher refresher = Refresher::kNone;  // `refresher=uac|uas`, case-insensitive
  std::string_view rest;  // everything after the digits, as written: ";refresher=uac;x=1"
};

std::optional<IntervalValue> ParseInterval(std::string_view value);

// The first line of Session-Expires (compact `x` included) or Min-SE in a message.
struct IntervalHeader {
  size_t line = SipMessage::npos;       // npos: absent
  std::optional<IntervalValue> value;   // nullopt with a line: malformed
  bool present() const { return line != SipMessage::npos; }
  bool valid() const { return value.has_value(); }
};
IntervalHeader FindInterval(const SipMessage& message, HeaderId id);

// Replaces the number of an interval line, keeping its parameters byte for byte.
bool SetIntervalSeconds(SipMessage& message, size_t line, const IntervalValue& old_value,
                        uint32_t seconds);

// True when a line of `id` (Supported, Require) lists `tag` (compared case-insensitively).
bool HasOptionTag(const SipMessage& message, HeaderId id, std::string_view tag);
// Adds `tag` to the first line of `id`, or a new line when there is none; no-op when listed.
void AddOptionTag(SipMessage& message, HeaderId id, std::string_view tag);

// Splits a header value at the commas that separate list elements (not those inside quoted
// strings or <...>); elements are trimmed, empty ones dropped.
std::vector<std::string_view> SplitHeaderList(std::string_view value);

// The value of header parameter `name` (case-insensitive) of a name-addr / addr-spec value
// such as `"Bob" <sip:b@h;x=y>;tag=abc`: parameters inside <...> are not header parameters.
// nullopt when absent; "" for a parameter without value.
std::optional<std::string_view> HeaderParam(std::string_view value, std::string_view name);

// The URI of a name-addr (`<...>`) or addr-spec value; "" when there is none.
std::string_view AddressUri(std::string_view value);

// True when the SIP URI has the `lr` parameter.
bool UriHasLr(std::string_view uri);

// The first line of a header as value, "" when absent.
std::string_view FirstValue(const SipMessage& message, HeaderId id);

// Every element of every line of `id`, in message order (Record-Route, Route).
std::vector<std::string_view> ListElements(const SipMessage& message, HeaderId id);

struct CSeqValue {
  uint32_t number = 0;
  std::string_view method;
};
std::optional<CSeqValue> ParseCSeq(std::string_view value);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string_view TrimWhitespace(std::string_view s);

}  // namespace smc::internal::sst

#endif  // SMC_ENGINE_SESSION_TIMER_HEADERS_H_
