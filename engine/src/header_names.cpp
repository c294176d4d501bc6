// Header-name lookup without allocation: a perfect hash built at compile time leaves one
// candidate name to compare.
#include "smc/header_names.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace smc {
namespace {

constexpr size_t kIdCount = static_cast<size_t>(HeaderId::kCount);

// Canonical spellings, indexed by HeaderId.
constexpr std::array<std::string_view, kIdCount> kCanonical = {
    "",  // kOther
    "Accept",
    "Accept-Contact",
    "Accept-Encoding",
    "Allow",
    "Allow-Events",
    "Authorization",
    "Call-ID",
    "Contact",
    "Content-Disposition",
    "Content-Encoding",
    "Content-Length",
    "Content-Type",
    "CSeq",
    "Date",
    "Event",
    "Expires",
    "From",
    "Identity",
    "Max-Forwards",
    "Min-SE",
    "P-Asserted-Identity",
    "P-Preferred-Identity",
    "Privacy",
    "Proxy-Authenticate",
    "Proxy-Authorization",
    "Proxy-Require",
    "Reason",
    "Record-Route",
    "Refer-To",
    "Referred-By",
    "Reject-Contact",
    "Request-Disposition",
    "Require",
    "Retry-After",
    "Route",
    "Server",
    "Session-Expires",
    "Subject",
    "Supported",
    "To",
    "Unsupported",
    "User-Agent",
    "Via",
    "WWW-Authenticate",
    "Warning",
};
static_assert(kCanonical[static_cast<size_t>(HeaderId::kWarning)] == "Warning",
              "kCanonical must follow the order of HeaderId");

constexpr char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

constexpr std::array<char, 256> BuildLowerTable() {
  std::array<char, 256> t{};
  for (size_t c = 0; c < t.size(); ++c) t[c] = Lower(static_cast<char>(c));
  return t;
}
constexpr std::array<char, 256> kLowerTable = BuildLowerTable();

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (kLowerTable[static_cast<unsigned char>(a[i])] !=
        kLowerTable[static_cast<unsigned char>(b[i])]) {
      return false;
    }
  }
  return true;
}

// Compact forms, indexed by the lower-case letter.
constexpr std::array<HeaderId, 26> BuildCompact() {
  std::array<HeaderId, 26> t{};
  for (auto& id : t) id = HeaderId::kOther;
  t['a' - 'a'] = HeaderId::kAcceptContact;
  t['b' - 'a'] = HeaderId::kReferredBy;
  t['c' - 'a'] = HeaderId::kContentType;
  t['d' - 'a'] = HeaderId::kRequestDisposition;
  t['e' - 'a'] = HeaderId::kContentEncoding;
  t['f' - 'a'] = HeaderId::kFrom;
  t['i' - 'a'] = HeaderId::kCallId;
  t['j' - 'a'] = HeaderId::kRejectContact;
  t['k' - 'a'] = HeaderId::kSupported;
  t['l' - 'a'] = HeaderId::kContentLength;
  t['m' - 'a'] = HeaderId::kContact;
  t['o' - 'a'] = HeaderId::kEvent;
  t['r' - 'a'] = HeaderId::kReferTo;
  t['s' - 'a'] = HeaderId::kSubject;
  t['t' - 'a'] = HeaderId::kTo;
  t['u' - 'a'] = HeaderId::kAllowEvents;
  t['v' - 'a'] = HeaderId::kVia;
  t['x' - 'a'] = HeaderId::kSessionExpires;
  t['y' - 'a'] = HeaderId::kIdentity;
  return t;
}
constexpr std::array<HeaderId, 26> kCompact = BuildCompact();

constexpr size_t kMaxNameLength = 20;  // "P-Preferred-Identity"

// A perfect hash of (length, first letter, last letter), case folded: no two canonical
// names share one (checked below), so a lookup is one table read and one comparison.
constexpr size_t kHashSize = 128;
constexpr size_t Hash(size_t length, char first, char last) {
  return (length * 53 + static_cast<unsigned char>(first) * 41 + static_cast<unsigned char>(last)) %
         kHashSize;
}

struct HashTable {
  std::array<HeaderId, kHashSize> ids{};
  bool collision = false;
  bool too_long = false;
};

constexpr HashTable BuildHashTable() {
  HashTable table;
  for (auto& id : table.ids) id = HeaderId::kOther;
  for (size_t id = 1; id < kIdCount; ++id) {
    const std::string_view name = kCanonical[id];
    if (name.size() > kMaxNameLength) table.too_long = true;
    const size_t h = Hash(name.size(), Lower(name.front()), Lower(name.back()));
    if (table.ids[h] != HeaderId::kOther) table.collision = true;
    table.ids[h] = static_cast<HeaderId>(id);
  }
  return table;
}
constexpr HashTable kHashTable = BuildHashTable();
static_assert(!kHashTable.collision, "two canonical names hash alike: change Hash()");
static_assert(!kHashTable.too_long, "a canonical name is longer than kMaxNameLength");

// Each canonical name lower-cased, and a mask with 0x20 at its letters: a byte x matches
// letter position i when (x | mask[i]) == lower[i] (either case, nothing else), and a
// position of '-' only when x is '-'. Compared several bytes at a time.
constexpr size_t kFoldedBytes = 24;
static_assert(kFoldedBytes >= kMaxNameLength && kFoldedBytes % 8 == 0, "");
struct FoldedName {
  std::array<unsigned char, kFoldedBytes> lower{};
  std::array<unsigned char, kFoldedBytes> mask{};
};

constexpr std::array<FoldedName, kIdCount> BuildFoldedNames() {
  std::array<FoldedName, kIdCount> folded{};
  for (size_t id = 0; id < kIdCount; ++id) {
    const std::string_view name = kCanonical[id];
    for (size_t i = 0; i < name.size(); ++i) {
      const char c = Lower(name[i]);
      folded[id].lower[i] = static_cast<unsigned char>(c);
      folded[id].mask[i] = (c >= 'a' && c <= 'z') ? 0x20 : 0x00;
    }
  }
  return folded;
}
constexpr std::array<FoldedName, kIdCount> kFoldedNames = BuildFoldedNames();

template <typename Word>
Word Load(const void* p) {
  Word w;
  std::memcpy(&w, p, sizeof(w));
  return w;
}

// Compares sizeof(Word) bytes of name at `offset` with the folded name.
template <typename Word>
bool FoldedEqualAt(const char* name, const FoldedName& f, size_t offset) {
  const Word x = Load<Word>(name + offset);
  const Word mask = Load<Word>(f.mask.data() + offset);
  const Word lower = Load<Word>(f.lower.data() + offset);
  return static_cast<Word>(x | mask) == lower;
}

// True when name (2 to kMaxNameLength bytes) is the canonical name of id in any case.
// Overlapping loads cover every byte without reading outside name.
bool MatchesCanonical(std::string_view name, HeaderId id) {
  const size_t i = static_cast<size_t>(id);
  const size_t len = name.size();
  if (len != kCanonical[i].size()) return false;
  const FoldedName& f = kFoldedNames[i];
  const char* p = name.data();
  if (len >= 8) {
    return FoldedEqualAt<uint64_t>(p, f, 0) && FoldedEqualAt<uint64_t>(p, f, len - 8) &&
           FoldedEqualAt<uint64_t>(p, f, std::min<size_t>(8, len - 8));
  }
  if (len >= 4) return FoldedEqualAt<uint32_t>(p, f, 0) && FoldedEqualAt<uint32_t>(p, f, len - 4);
  if (len >= 2) return FoldedEqualAt<uint16_t>(p, f, 0) && FoldedEqualAt<uint16_t>(p, f, len - 2);
  return false;
}

constexpr bool IsSpace(char c) {
  return c <= ' ' && (c == ' ' || c == '\t' || c == '\r' || c == '\n');
}

std::string_view TrimName(std::string_view name) {
  while (!name.empty() && IsSpace(name.front())) name.remove_prefix(1);
  while (!name.empty() && IsSpace(name.back())) name.remove_suffix(1);
  if (!name.empty() && name.back() == ':') {
    name.remove_suffix(1);
    while (!name.empty() && IsSpace(name.back())) name.remove_suffix(1);
  }
  return name;
}

// Lookup of a name already trimmed.
HeaderId LookupExact(std::string_view name) {
  const size_t len = name.size();
  if (len == 1) {
    const char c = Lower(name[0]);
    return (c >= 'a' && c <= 'z') ? kCompact[static_cast<size_t>(c - 'a')] : HeaderId::kOther;
  }
  if (len == 0 || len > kMaxNameLength) return HeaderId::kOther;
  const HeaderId id = kHashTable.ids[Hash(len, Lower(name.front()), Lower(name.back()))];
  return id != HeaderId::kOther && MatchesCanonical(name, id) ? id : HeaderId::kOther;
}

}  // namespace

HeaderId LookupHeader(std::string_view name) {
  // Names in messages and profiles are nearly always written without anything to trim.
  if (!name.empty() && !IsSpace(name.front()) && !IsSpace(name.back()) && name.back() != ':') {
    return LookupExact(name);
  }
  return LookupExact(TrimName(name));
}

std::string_view CanonicalHeaderName(HeaderId id) {
  const size_t i = static_cast<size_t>(id);
  return i < kIdCount ? kCanonical[i] : std::string_view();
}

bool SameHeaderName(std::string_view a, std::string_view b) {
  a = TrimName(a);
  b = TrimName(b);
  // An empty name names no header, so it is the same as none.
  if (a.empty() || b.empty()) return false;
  const HeaderId ida = LookupExact(a);
  const HeaderId idb = LookupExact(b);
  if (ida != idb) return false;
  return ida != HeaderId::kOther || EqualsIgnoreCase(a, b);
}

}  // namespace smc
