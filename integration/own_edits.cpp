#include "own_edits.h"

#include <cstring>

#include "wire_message.h"

namespace smc::proxy {
namespace {

msg_header_t* AsHeader(void* h) { return static_cast<msg_header_t*>(h); }

// Gives `h` the bytes "name: value\r\n", as the engine's Serialize() writes an edited or
// inserted line; msg_prepare() then leaves it as it is.
bool SetLineBytes(msg_t* msg, msg_header_t* h, std::string_view name, std::string_view value) {
  const size_t n = name.size() + 2 + value.size() + 2;
  char* text = static_cast<char*>(su_alloc(msg_home(msg), static_cast<isize_t>(n)));
  if (text == nullptr) return false;
  char* p = text;
  std::memcpy(p, name.data(), name.size());
  p += name.size();
  std::memcpy(p, ": ", 2);
  p += 2;
  std::memcpy(p, value.data(), value.size());
  p += value.size();
  std::memcpy(p, "\r\n", 2);
  h->sh_data = text;
  h->sh_len = static_cast<usize_t>(n);
  return true;
}

bool SetMaxForwards(msg_t* msg, sip_t* sip, const SipMessage& edited) {
  const size_t i = edited.FindHeader(HeaderId::kMaxForwards);
  sip_max_forwards_t* mf = sip->sip_max_forwards;
  if (i == SipMessage::npos || !edited.header_modified(i) || mf == nullptr) return false;
  unsigned long count = 0;
  for (char c : edited.header_value(i)) {
    if (c < '0' || c > '9') return false;
    count = count * 10 + static_cast<unsigned long>(c - '0');
  }
  mf->mf_count = count;
  return SetLineBytes(msg, AsHeader(mf), edited.header_name(i), edited.header_value(i));
}

// Links `first` (and `second` after it) into the chain where AddRecordRoute() puts its
// lines: above the first Record-Route line, else below the last Via line, else below the
// start line. Neither goes at the chain's end (the separator line follows the headers), so
// the message's own tail pointer stays right.
bool LinkRecordRoutes(sip_t* sip, sip_record_route_t* first, sip_record_route_t* second) {
  msg_header_t** prev = nullptr;
  if (sip->sip_record_route != nullptr) {
    prev = AsHeader(sip->sip_record_route)->sh_prev;
  } else if (sip->sip_via != nullptr) {
    sip_via_t* last = sip->sip_via;
    while (last->v_next != nullptr) last = last->v_next;
    prev = &AsHeader(last)->sh_succ;
  } else if (sip->sip_request != nullptr) {
    prev = &AsHeader(sip->sip_request)->sh_succ;
  }
  if (prev == nullptr || *prev == nullptr) return false;
  msg_header_t* head = AsHeader(first);
  msg_header_t* tail = head;
  if (second != nullptr) {
    msg_header_t* h2 = AsHeader(second);
    head->sh_succ = h2;
    h2->sh_prev = &head->sh_succ;
    tail = h2;
  }
  tail->sh_succ = *prev;
  (*prev)->sh_prev = &tail->sh_succ;
  *prev = head;
  head->sh_prev = prev;
  // The header list: the new entries topmost, in order.
  (second != nullptr ? second : first)->r_next = sip->sip_record_route;
  if (second != nullptr) first->r_next = second;
  sip->sip_record_route = first;
  return true;
}

sip_record_route_t* MakeRecordRoute(msg_t* msg, const std::string& value) {
  sip_record_route_t* rr = sip_record_route_make(msg_home(msg), value.c_str());
  if (rr == nullptr || !SetLineBytes(msg, AsHeader(rr), "Record-Route", value)) return nullptr;
  return rr;
}

bool Apply(msg_t* msg, const OwnEdits& edits, const SipMessage& edited) {
  sip_t* sip = sip_object(msg);
  if (sip == nullptr) return false;
  msg_pub_t* pub = reinterpret_cast<msg_pub_t*>(sip);
  if (edits.max_forwards && !SetMaxForwards(msg, sip, edited)) return false;
  for (int i = 0; i < edits.routes_removed; ++i) {
    if (sip->sip_route == nullptr || msg_header_remove(msg, pub, AsHeader(sip->sip_route)) < 0) {
      return false;
    }
  }
  if (edits.top_via_removed &&
      (sip->sip_via == nullptr || msg_header_remove(msg, pub, AsHeader(sip->sip_via)) < 0)) {
    return false;
  }
  if (edits.record_route_first != nullptr) {
    sip_record_route_t* first = MakeRecordRoute(msg, *edits.record_route_first);
    sip_record_route_t* second = nullptr;
    if (first == nullptr) return false;
    if (edits.record_route_second != nullptr) {
      second = MakeRecordRoute(msg, *edits.record_route_second);
      if (second == nullptr) return false;
    }
    if (!LinkRecordRoutes(sip, first, second)) return false;
  }
  return true;
}

}  // namespace

msg_t* WithOwnEdits(msg_t* received, const OwnEdits& edits, const SipMessage& edited,
                    std::string_view expected) {
  if (received == nullptr) return nullptr;
  // Bytes for every fragment of the original first: nta clears those of the Via it adds
  // received and rport to, and a copy would otherwise encode them again.
  if (!MsgEncode(received)) return nullptr;
  msg_t* copy = msg_copy(received);
  if (copy == nullptr) return nullptr;
  if (!Apply(copy, edits, edited) || !MsgWireBytesEqual(copy, expected)) {
    msg_destroy(copy);
    return nullptr;
  }
  return copy;
}

}  // namespace smc::proxy
