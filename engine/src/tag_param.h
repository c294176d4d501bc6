// The `tag` parameter of a From or To header value: what identifies a dialog's ends, which
// no profile may change (RFC 3261 19.3).
#ifndef SMC_ENGINE_TAG_PARAM_H_
#define SMC_ENGINE_TAG_PARAM_H_

#include <optional>
#include <string_view>

namespace smc::internal {

// The value of the `tag` header parameter (name case-insensitive) of a name-addr or
// addr-spec value: `"Bob" <sip:b@x;tag=u>;tag=42` gives "42" (a `tag` inside the URI's <> or
// inside a quoted display name is not the header's). nullopt when there is none; "" for a
// `tag` without a value.
std::optional<std::string_view> TagParam(std::string_view header_value);

}  // namespace smc::internal

#endif  // SMC_ENGINE_TAG_PARAM_H_
