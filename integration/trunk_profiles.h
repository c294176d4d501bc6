// Applying a trunk's ingress or egress profiles to a message, with its counters.
#ifndef SMC_INTEGRATION_TRUNK_PROFILES_H_
#define SMC_INTEGRATION_TRUNK_PROFILES_H_

#include "runtime_config.h"
#include "smc/sip_message.h"

namespace smc::proxy {

// Applies the chain of `trunk` (null: none) for `direction` and counts the rewrite, each
// rule that changed the message and each refused edit. True when the message changed.
bool ApplyTrunkProfiles(const TrunkRuntime* trunk, Direction direction, SipMessage& message);

}  // namespace smc::proxy

#endif  // SMC_INTEGRATION_TRUNK_PROFILES_H_
