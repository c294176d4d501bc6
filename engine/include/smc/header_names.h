// Well-known SIP header names, their compact forms, and case-insensitive lookup.
#ifndef SMC_HEADER_NAMES_H_
#define SMC_HEADER_NAMES_H_

#include <cstdint>
#include <string_view>

namespace smc {

// Headers the engine or the proxy must recognise. kOther is any other name: compare those
// by their lower-cased name. Order is not significant; values are not a wire format.
enum class HeaderId : uint8_t {
  kOther = 0,
  kAccept, kAcceptContact, kAcceptEncoding, kAllow, kAllowEvents, kAuthorization,
  kCallId, kContact, kContentDisposition, kContentEncoding, kContentLength, kContentType,
  kCSeq, kDate, kEvent, kExpires, kFrom, kIdentity, kMaxForwards, kMinSE,
  kPAssertedIdentity, kPPreferredIdentity, kPrivacy, kProxyAuthenticate,
  kProxyAuthorization, kProxyRequire, kReason, kRecordRoute, kReferTo, kReferredBy,
  kRejectContact, kRequestDisposition, kRequire, kRetryAfter, kRoute, kServer,
  kSessionExpires, kSubject, kSupported, kTo, kUnsupported, kUserAgent, kVia,
  kWWWAuthenticate, kWarning,
  kCount  // not a header: the number of ids
};

// Case-insensitive; accepts full names and the compact forms of RFC 3261 and its
// extensions (a Accept-Contact, b Referred-By, c Content-Type, d Request-Disposition,
// e Content-Encoding, f From, i Call-ID, j Reject-Contact, k Supported, l Content-Length,
// m Contact, o Event, r Refer-To, s Subject, t To, u Allow-Events, v Via, x Session-Expires,
// y Identity). Surrounding white space and one trailing colon are ignored.
HeaderId LookupHeader(std::string_view name);

// The canonical full spelling ("Session-Expires"); "" for kOther.
std::string_view CanonicalHeaderName(HeaderId id);

// True when a and b name the same header (compact forms and case folded).
bool SameHeaderName(std::string_view a, std::string_view b);

}  // namespace smc

#endif  // SMC_HEADER_NAMES_H_
