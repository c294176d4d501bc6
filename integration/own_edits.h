// Forwarding a received sofia message itself, with only the proxy's own edits made on it
// through sofia's API, instead of parsing the engine's bytes into a new message.
//
// Parsing every message a second time (msg_make) was a large share of the proxy's
// instructions, yet most messages leave the profiles and the session-timer stage as they
// came. For those, WithOwnEdits() makes a shallow copy of the received message (msg_copy:
// the header structures are copied, the bytes shared), makes on it the edits the proxy made
// on the engine's message (Max-Forwards, its own Route entries, Record-Route, its Via on a
// response), and keeps the copy only when its wire bytes are exactly the engine's message
// serialized. So what goes out is byte for byte what parsing those bytes would have sent,
// and any case the copy does not reproduce (a Route line holding several entries, a profile
// or stage edit) falls back to parsing.
#ifndef SMC_INTEGRATION_OWN_EDITS_H_
#define SMC_INTEGRATION_OWN_EDITS_H_

#include <string>
#include <string_view>

#include "smc/sip_message.h"
#include "sofia.h"

namespace smc::proxy {

// The proxy's own edits to a message, as made on the engine's copy of it.
struct OwnEdits {
  // The Max-Forwards line was rewritten in place (decremented). Its new text is the
  // engine's line: the name as written, ": ", the value.
  bool max_forwards = false;
  // Entries removed from the top of the route set (PopOwnRoutes).
  int routes_removed = 0;
  // Record-Route values added above any existing one, `first` topmost (AddRecordRoute);
  // null when none. Full values, "<sip:...;lr>".
  const std::string* record_route_first = nullptr;
  const std::string* record_route_second = nullptr;
  // A response: its top Via (the proxy's) was removed (PopTopVia).
  bool top_via_removed = false;
};

// A new message (the caller owns it) that is `received` with `edits` made on it, when its
// wire bytes equal `expected` (the engine's message `edited`, serialized); nullptr when they
// do not or sofia refuses an edit. `received` is left as it was; the copy keeps a reference
// to it.
msg_t* WithOwnEdits(msg_t* received, const OwnEdits& edits, const SipMessage& edited,
                    std::string_view expected);

}  // namespace smc::proxy

#endif  // SMC_INTEGRATION_OWN_EDITS_H_
