// Between sofia-sip messages and the wire bytes the engine works on.
//
// nta parses with MSG_FLG_EXTRACT_COPY, so every header of a received message keeps a copy
// of its original bytes: the wire bytes of a message are its fragment chain, concatenated.
// A rewritten message is parsed back into a fresh sofia message with the same flags, so the
// lines the engine left alone are sent byte for byte.
#ifndef SMC_INTEGRATION_WIRE_MESSAGE_H_
#define SMC_INTEGRATION_WIRE_MESSAGE_H_

#include <string>
#include <string_view>

#include "sofia.h"

namespace smc::proxy {

// The flags nta parses with and MsgFromWireBytes() uses: canonical parsing, original bytes
// kept for every header.
constexpr int kWireParseFlags = MSG_DO_CANONIC | MSG_DO_EXTRACT_COPY;

// Makes sure every fragment of `msg` has its bytes: headers added or changed through sofia
// (with their encoding cleared) are put in the chain and encoded. False when that fails.
bool MsgEncode(msg_t* msg);

// True when the fragment chain of `msg`, concatenated, is exactly `bytes`. Encodes `msg`
// first (MsgEncode); false when that fails.
bool MsgWireBytesEqual(msg_t* msg, std::string_view bytes);

// Appends the bytes `msg` would be sent as. Headers added or changed through sofia are
// encoded first. False when the message cannot be encoded.
bool MsgWireBytes(msg_t* msg, std::string* out);

// A new message parsed from `bytes` (the caller owns it), or nullptr when sofia finds a
// fatal error in them (an unparseable start line or critical header).
msg_t* MsgFromWireBytes(std::string_view bytes);

}  // namespace smc::proxy

#endif  // SMC_INTEGRATION_WIRE_MESSAGE_H_
