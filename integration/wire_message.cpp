#include "wire_message.h"

#include <cstring>

namespace smc::proxy {
namespace {

bool ChainHasData(msg_t* msg) {
  msg_header_t** head = msg_chain_head(msg);
  if (head == nullptr || *head == nullptr) return false;
  for (msg_header_t* h = *head; h != nullptr; h = h->sh_succ) {
    if (h->sh_data == nullptr) return false;
  }
  return true;
}

}  // namespace

bool MsgEncode(msg_t* msg) {
  if (msg == nullptr) return false;
  if (ChainHasData(msg)) return true;
  // Headers added through sofia have no bytes yet: put everything in the chain and encode.
  if (msg_serialize(msg, msg_object(msg)) < 0 || msg_prepare(msg) < 0) return false;
  return ChainHasData(msg);
}

bool MsgWireBytesEqual(msg_t* msg, std::string_view bytes) {
  if (!MsgEncode(msg)) return false;
  size_t at = 0;
  for (msg_header_t* h = *msg_chain_head(msg); h != nullptr; h = h->sh_succ) {
    if (h->sh_len > bytes.size() - at ||
        std::memcmp(h->sh_data, bytes.data() + at, h->sh_len) != 0) {
      return false;
    }
    at += h->sh_len;
  }
  return at == bytes.size();
}

bool MsgWireBytes(msg_t* msg, std::string* out) {
  if (!MsgEncode(msg)) return false;
  size_t total = 0;
  for (msg_header_t* h = *msg_chain_head(msg); h != nullptr; h = h->sh_succ) {
    total += h->sh_len;
  }
  out->reserve(out->size() + total);
  for (msg_header_t* h = *msg_chain_head(msg); h != nullptr; h = h->sh_succ) {
    out->append(static_cast<const char*>(h->sh_data), h->sh_len);
  }
  return true;
}

msg_t* MsgFromWireBytes(std::string_view bytes) {
  if (bytes.empty()) return nullptr;
  msg_t* msg = msg_make(sip_default_mclass(), kWireParseFlags, bytes.data(),
                        static_cast<ssize_t>(bytes.size()));
  if (msg == nullptr) return nullptr;
  sip_t* sip = sip_object(msg);
  if (sip == nullptr || (sip->sip_flags & MSG_FLG_ERROR) != 0 ||
      (sip->sip_request == nullptr && sip->sip_status == nullptr)) {
    msg_destroy(msg);
    return nullptr;
  }
  return msg;
}

}  // namespace smc::proxy
