// SipMessage: a zero-copy parse into spans of one owned buffer, edits into an arena, and a
// serializer that copies untouched bytes as they were.
#include "smc/sip_message.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <limits>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace smc {
namespace {

// Spans are 32-bit offsets: a message (and the text edits add) must fit in that.
constexpr size_t kMaxSpanBytes = std::numeric_limits<uint32_t>::max();

// Most SIP messages have fewer lines than this; reserving once avoids regrowth.
constexpr size_t kTypicalHeaderCount = 32;

// Bytes reserved after a parsed message for the text edits write (see Store()): a few
// rewritten header values fit without another allocation.
constexpr size_t kEditRoom = 256;

constexpr std::string_view kCrlf = "\r\n";

// RFC 3261 token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~".
constexpr std::array<bool, 256> BuildTokenTable() {
  std::array<bool, 256> t{};
  for (size_t c = '0'; c <= '9'; ++c) t[c] = true;
  for (size_t c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (size_t c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view("-.!%*_+`'~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr std::array<bool, 256> kTokenChar = BuildTokenTable();

bool IsTokenChar(char c) { return kTokenChar[static_cast<unsigned char>(c)]; }

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

bool IsWsp(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimWsp(std::string_view s) {
  while (!s.empty() && IsWsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsWsp(s.back())) s.remove_suffix(1);
  return s;
}

// One pass for the three bytes, 16 at a time: a value is short, and three memchr calls on
// it cost more than the search.
bool HasLineBreakOrNul(std::string_view s) {
  const char* const p = s.data();
  const size_t n = s.size();
#if defined(__SSE2__)
  if (n >= 16) {
    const __m128i cr = _mm_set1_epi8('\r');
    const __m128i lf = _mm_set1_epi8('\n');
    const __m128i nul = _mm_setzero_si128();
    auto any_at = [&](size_t i) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, cr), _mm_cmpeq_epi8(x, lf)),
                                       _mm_cmpeq_epi8(x, nul));
      return _mm_movemask_epi8(hit) != 0;
    };
    for (size_t i = 0; i + 16 < n; i += 16) {
      if (any_at(i)) return true;
    }
    return any_at(n - 16);  // the last 16 bytes, overlapping the blocks before
  }
#endif
  for (size_t i = 0; i < n; ++i) {
    if (p[i] == '\r' || p[i] == '\n' || p[i] == '\0') return true;
  }
  return false;
}

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

// A header name as LookupHeader() reads it: without surrounding white space and one
// trailing colon.
std::string_view TrimHeaderName(std::string_view name) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!name.empty() && is_space(name.front())) name.remove_prefix(1);
  while (!name.empty() && is_space(name.back())) name.remove_suffix(1);
  if (!name.empty() && name.back() == ':') {
    name.remove_suffix(1);
    while (!name.empty() && is_space(name.back())) name.remove_suffix(1);
  }
  return name;
}

// A short, printable, quoted rendering of untrusted bytes for an error message.
std::string Excerpt(std::string_view s) {
  constexpr size_t kMax = 48;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < kMax; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  if (s.size() > kMax) out += "...";
  out += "'";
  return out;
}

// The fields of a start line, as offsets into that line.
struct StartLine {
  bool is_request = false;
  int status_code = 0;
  size_t first_off = 0, first_len = 0;    // method, or status code
  size_t second_off = 0, second_len = 0;  // Request-URI, or reason phrase
  size_t version_off = 0, version_len = 0;
};

// Empty when `version` is SIP/2.0 (case-insensitively, as RFC 3261 25.1 has it), else why not.
std::string CheckVersion(std::string_view version) {
  if (EqualsIgnoreCase(version, "SIP/2.0")) return {};
  if (StartsWithIgnoreCase(version, "SIP/")) {
    return "unsupported SIP version " + Excerpt(version) +
           " in start line (only SIP/2.0 is supported)";
  }
  return "bad start line: " + Excerpt(version) + " is not a SIP version";
}

// Parses "METHOD SP Request-URI SP SIP/2.0" or "SIP/2.0 SP 3DIGIT SP Reason-Phrase".
// Returns an empty string on success, else the reason.
std::string ParseStartLine(std::string_view line, StartLine* out) {
  const size_t sp1 = line.find(' ');
  const std::string_view first = line.substr(0, sp1);
  if (StartsWithIgnoreCase(first, "SIP/")) {
    std::string bad = CheckVersion(first);
    if (!bad.empty()) return bad;
    if (sp1 == std::string_view::npos) {
      return "bad status line " + Excerpt(line) + ": no status code";
    }
    const std::string_view rest = line.substr(sp1 + 1);
    const bool three_digits = rest.size() >= 3 && rest[0] >= '1' && rest[0] <= '6' &&
                              rest[1] >= '0' && rest[1] <= '9' && rest[2] >= '0' && rest[2] <= '9';
    if (!three_digits || (rest.size() > 3 && rest[3] != ' ')) {
      return "bad status line " + Excerpt(line) + ": status code must be 100-699";
    }
    out->is_request = false;
    out->status_code = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
    out->version_off = 0;
    out->version_len = first.size();
    out->first_off = sp1 + 1;
    out->first_len = 3;
    out->second_off = std::min(sp1 + 5, line.size());
    out->second_len = line.size() - out->second_off;
    return {};
  }
  if (sp1 == std::string_view::npos) {
    return "bad start line " + Excerpt(line) +
           ": expected 'METHOD URI SIP/2.0' or 'SIP/2.0 CODE REASON'";
  }
  if (!IsToken(first)) {
    return "bad request line " + Excerpt(line) + ": method " + Excerpt(first) + " is not a token";
  }
  const size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) {
    return "bad request line " + Excerpt(line) + ": expected 'METHOD URI SIP/2.0'";
  }
  const std::string_view uri = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (uri.empty() || uri.find('\t') != std::string_view::npos ||
      version.find(' ') != std::string_view::npos) {
    return "bad request line " + Excerpt(line) + ": expected 'METHOD URI SIP/2.0'";
  }
  std::string bad = CheckVersion(version);
  if (!bad.empty()) return bad;
  out->is_request = true;
  out->first_off = 0;
  out->first_len = sp1;
  out->second_off = sp1 + 1;
  out->second_len = uri.size();
  out->version_off = sp2 + 1;
  out->version_len = version.size();
  return {};
}

// A Content-Length value: decimal digits only, at most kMaxSpanBytes. nullopt otherwise.
std::optional<uint64_t> ParseContentLength(std::string_view value, std::string* error) {
  if (value.empty()) {
    *error = "bad Content-Length '': not a non-negative decimal number";
    return std::nullopt;
  }
  uint64_t n = 0;
  for (char c : value) {
    if (c < '0' || c > '9') {
      *error = "bad Content-Length " + Excerpt(value) + ": not a non-negative decimal number";
      return std::nullopt;
    }
    n = n * 10 + static_cast<uint64_t>(c - '0');
    if (n > kMaxSpanBytes) {
      *error = "bad Content-Length " + Excerpt(value) + ": too large";
      return std::nullopt;
    }
  }
  return n;
}

// The offset of the first CR or LF in data[from, n), or n. One scan for both: two memchr
// calls per line cost more in call overhead than the scan itself on typical header lines.
size_t FindCrOrLf(const char* data, size_t from, size_t n) {
  size_t i = from;
#if defined(__SSE2__)
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i lf = _mm_set1_epi8('\n');
  for (; n - i >= 16; i += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
    const int mask =
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, cr), _mm_cmpeq_epi8(x, lf)));
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  for (; i < n; ++i) {
    if (data[i] == '\r' || data[i] == '\n') return i;
  }
  return n;
}

// Appends the value of a folded line, whose text from its first value byte is `rest`: its
// pieces, trimmed, joined with one space (RFC 3261 7.3.1).
void AppendJoinedValue(std::string_view rest, std::string* joined) {
  bool first = true;
  while (true) {
    const size_t lf = rest.find('\n');
    std::string_view piece = rest.substr(0, lf);
    if (!piece.empty() && piece.back() == '\r') piece.remove_suffix(1);
    piece = TrimWsp(piece);
    if (!piece.empty()) {
      if (!first) joined->push_back(' ');
      joined->append(piece);
      first = false;
    }
    if (lf == std::string_view::npos) return;
    rest.remove_prefix(lf + 1);
  }
}

}  // namespace

std::optional<SipMessage> SipMessage::Parse(std::string_view bytes, std::string* error) {
  // Parsed in place: the message is never moved into the optional.
  std::optional<SipMessage> result(std::in_place);
  std::string reason = result->ParseInto(bytes);
  if (!reason.empty()) {
    if (error != nullptr) *error = std::move(reason);
    result.reset();
  }
  return result;
}

std::string SipMessage::ParseInto(std::string_view bytes) {
  static_assert(sizeof(HeaderLine) == 32, "see HeaderLine");
  auto fail = [](std::string reason) { return reason; };
  if (bytes.size() > kMaxSpanBytes) return fail("message too large");

  const char* const data = bytes.data();
  const size_t n = bytes.size();
  SipMessage& msg = *this;

  // RFC 3261 7.5: CRLFs before the start line (keep-alives, stream framing) are ignored.
  size_t pos = 0;
  while (pos < n && (data[pos] == '\r' || data[pos] == '\n')) ++pos;
  if (pos == n) return fail("empty message");

  // Finds the line starting at `from`: sets its content end (before CR LF or LF), the
  // position after its line end, and whether a CR other than that of its CRLF is in it.
  // False when no LF ends it.
  auto next_line = [&](size_t from, size_t* content_end, size_t* after, bool* bare_cr) {
    *bare_cr = false;
    for (size_t i = FindCrOrLf(data, from, n); i != n; i = FindCrOrLf(data, i + 1, n)) {
      if (data[i] == '\n') {
        *content_end = i;
        *after = i + 1;
        msg.crlf_only_ = false;
        return true;
      }
      if (i + 1 < n && data[i + 1] == '\n') {
        *content_end = i;
        *after = i + 2;
        return true;
      }
      *bare_cr = true;
    }
    return false;
  };
  // Bare CR and NUL are refused so that no value can ever smuggle a line break out. A NUL
  // is looked for once (a body may hold them); a CR line by line.
  const void* nul = std::memchr(data + pos, '\0', n - pos);
  const size_t first_nul =
      nul != nullptr ? static_cast<size_t>(static_cast<const char*>(nul) - data) : n;
  auto bad_bytes = [&](std::string_view line, bool bare_cr) -> const char* {
    if (bare_cr) return "bare CR";
    if (first_nul < static_cast<size_t>(line.data() - data) + line.size()) return "NUL byte";
    return nullptr;
  };
  auto span = [](size_t offset, size_t length) {
    return Span{static_cast<uint32_t>(offset), static_cast<uint32_t>(length), false};
  };

  // --- start line ---
  size_t content_end = 0;
  size_t after = 0;
  bool bare_cr = false;
  if (!next_line(pos, &content_end, &after, &bare_cr)) {
    return fail("start line " + Excerpt(bytes.substr(pos)) + " has no line end");
  }
  {
    const std::string_view line(data + pos, content_end - pos);
    if (const char* what = bad_bytes(line, bare_cr)) {
      return fail(std::string(what) + " in start line " + Excerpt(line));
    }
    StartLine sl;
    std::string reason = ParseStartLine(line, &sl);
    if (!reason.empty()) return fail(std::move(reason));
    msg.is_request_ = sl.is_request;
    msg.status_code_ = sl.status_code;
    msg.start_line_ = span(pos, line.size());
    msg.method_ = span(pos + sl.first_off, sl.first_len);
    msg.request_uri_ = span(pos + sl.second_off, sl.second_len);
    msg.version_ = span(pos + sl.version_off, sl.version_len);
  }
  pos = after;

  // --- header section ---
  msg.headers_.reserve(kTypicalHeaderCount);
  bool any_folded = false;
  bool blank_line_found = false;
  while (pos < n) {
    if (!next_line(pos, &content_end, &after, &bare_cr)) break;
    const std::string_view line(data + pos, content_end - pos);
    if (line.empty()) {
      blank_line_found = true;
      pos = after;
      break;
    }
    if (const char* what = bad_bytes(line, bare_cr)) {
      return fail(std::string(what) + " in header line " + Excerpt(line));
    }
    if (IsWsp(line.front())) {
      if (msg.headers_.empty()) {
        return fail("continuation line " + Excerpt(line) + " before the first header");
      }
      HeaderLine& h = msg.headers_.back();
      h.raw_length = static_cast<uint32_t>(content_end - h.offset);
      h.folded = true;
      any_folded = true;
    } else {
      // name *WSP ":" in one pass; the slow path only says what is wrong. The line end
      // (CR or LF, neither a token character nor white space) stops both scans: no bound
      // to check.
      const char* const text = line.data();
      size_t colon = 0;
      while (IsTokenChar(text[colon])) ++colon;
      const std::string_view name = line.substr(0, colon);
      while (IsWsp(text[colon])) ++colon;
      if (name.empty() || colon == line.size() || line[colon] != ':') {
        const size_t real_colon = line.find(':');
        if (real_colon == std::string_view::npos) {
          return fail("header line without colon: " + Excerpt(line));
        }
        return fail("header name " + Excerpt(TrimWsp(line.substr(0, real_colon))) +
                    " is not a token in line " + Excerpt(line));
      }
      size_t value_begin = colon + 1;
      while (IsWsp(text[value_begin])) ++value_begin;  // stops at the line end too
      size_t value_end = line.size();
      while (value_end > value_begin && IsWsp(text[value_end - 1])) --value_end;
      const std::string_view value = line.substr(value_begin, value_end - value_begin);
      HeaderLine h;
      h.id = LookupHeader(name);
      h.offset = static_cast<uint32_t>(pos);
      h.raw_length = static_cast<uint32_t>(line.size());
      h.name_length = static_cast<uint32_t>(name.size());
      h.set_value(span(static_cast<size_t>(value.data() - data), value.size()));
      msg.headers_.push_back(h);
    }
    pos = after;
  }
  if (!blank_line_found) return fail("no blank line ending the header section");

  // --- body ---
  // A folded line's value (RFC 3261 7.3.1) is joined text: written once the bytes are
  // stored, except for a Content-Length, needed before.
  auto joined_value = [&](const HeaderLine& h, std::string* joined) {
    joined->clear();
    AppendJoinedValue(std::string_view(data + h.value_offset,
                                       h.offset + h.raw_length - h.value_offset),
                      joined);
    return std::string_view(*joined);
  };
  const size_t available = n - pos;
  std::optional<uint64_t> content_length;
  std::string content_length_text;
  std::string joined;
  for (const HeaderLine& h : msg.headers_) {
    if (h.id != HeaderId::kContentLength) continue;
    const std::string_view text = h.folded
                                      ? joined_value(h, &joined)
                                      : std::string_view(data + h.value_offset, h.value_length);
    std::string reason;
    const std::optional<uint64_t> value = ParseContentLength(text, &reason);
    if (!value) return fail(std::move(reason));
    if (content_length && *content_length != *value) {
      return fail("two different Content-Length values: " + Excerpt(content_length_text) + " and " +
                  Excerpt(text));
    }
    content_length = value;
    content_length_text.assign(text.data(), text.size());
  }
  size_t body_length = available;
  if (content_length) {
    if (*content_length > available) {
      return fail("body is " + std::to_string(available) + " bytes, shorter than " +
                  "Content-Length " + std::to_string(*content_length));
    }
    body_length = static_cast<size_t>(*content_length);
  }
  msg.body_ = span(pos, body_length);
  // Room for the usual edits after the bytes: the first edits then allocate nothing.
  const size_t raw_size = pos + body_length;
  msg.buffer_.reserve(std::min(raw_size + kEditRoom, kMaxSpanBytes));
  msg.buffer_.assign(data, raw_size);
  msg.raw_size_ = static_cast<uint32_t>(raw_size);

  if (any_folded) {
    for (HeaderLine& h : msg.headers_) {
      if (!h.folded) continue;
      Span stored;
      if (!msg.Store(joined_value(h, &joined), &stored)) return fail("message too large");
      h.set_value(stored);
    }
  }
  return {};
}

bool SipMessage::Store(std::string_view text, Span* span) {
  // In buffer_ while it has room: appending within capacity never moves what it holds, so
  // text that lies in it (or anywhere else) is copied safely.
  const size_t used = buffer_.size();
  if (text.size() <= buffer_.capacity() - used && text.size() <= kMaxSpanBytes - used) {
    buffer_.append(text.data(), text.size());
    *span = Span{static_cast<uint32_t>(used), static_cast<uint32_t>(text.size()), false};
    return true;
  }
  const size_t start = arena_.size();
  if (text.size() > kMaxSpanBytes - start) return false;
  // Once capacity is reserved the append cannot reallocate, so text that lies in the arena
  // itself is still valid while it is copied.
  const std::less<const char*> before;
  const bool aliases = !text.empty() && !before(text.data(), arena_.data()) &&
                       before(text.data(), arena_.data() + start);
  const size_t alias_offset = aliases ? static_cast<size_t>(text.data() - arena_.data()) : 0;
  arena_.reserve(start + text.size());
  if (aliases) {
    arena_.append(arena_.data() + alias_offset, text.size());
  } else {
    arena_.append(text.data(), text.size());
  }
  *span = Span{static_cast<uint32_t>(start), static_cast<uint32_t>(text.size()), true};
  return true;
}

// --- start line ---

std::string_view SipMessage::method() const {
  return is_request_ ? View(method_) : std::string_view();
}

std::string_view SipMessage::request_uri() const {
  return is_request_ ? View(request_uri_) : std::string_view();
}

std::string_view SipMessage::reason_phrase() const {
  return is_request_ ? std::string_view() : View(request_uri_);
}

std::string_view SipMessage::sip_version() const { return View(version_); }

std::string_view SipMessage::start_line() const { return View(start_line_); }

std::string_view SipMessage::transaction_method() const {
  if (is_request_) return method();
  const size_t i = FindHeader(HeaderId::kCSeq);
  if (i == npos) return {};
  std::string_view v = header_value(i);  // "1 INVITE"
  size_t k = 0;
  while (k < v.size() && v[k] >= '0' && v[k] <= '9') ++k;
  while (k < v.size() && IsWsp(v[k])) ++k;
  size_t end = k;
  while (end < v.size() && IsTokenChar(v[end])) ++end;
  return v.substr(k, end - k);
}

bool SipMessage::SetRequestUri(std::string_view uri) {
  if (!is_request_ || uri.empty()) return false;
  for (char c : uri) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return false;  // white space, CR, LF, NUL, controls
  }
  const std::string_view method = View(method_);
  const std::string_view version = View(version_);
  std::string line;
  line.reserve(method.size() + uri.size() + version.size() + 2);
  line.append(method).append(1, ' ').append(uri).append(1, ' ').append(version);
  Span stored;
  if (!Store(line, &stored)) return false;
  start_line_ = stored;
  // Store() may have put the line in the parse buffer's spare room or in the arena: the
  // three parts live wherever the line went.
  method_ = Span{stored.offset, static_cast<uint32_t>(method.size()), stored.in_arena};
  request_uri_ = Span{static_cast<uint32_t>(stored.offset + method.size() + 1),
                      static_cast<uint32_t>(uri.size()), stored.in_arena};
  version_ = Span{static_cast<uint32_t>(stored.offset + method.size() + uri.size() + 2),
                  static_cast<uint32_t>(version.size()), stored.in_arena};
  start_line_modified_ = true;
  return true;
}

// --- header lines ---

std::string_view SipMessage::header_name(size_t i) const {
  return i < headers_.size() ? View(headers_[i].name()) : std::string_view();
}

std::string_view SipMessage::header_value(size_t i) const {
  return i < headers_.size() ? View(headers_[i].value()) : std::string_view();
}

size_t SipMessage::FindHeader(HeaderId id, size_t from) const {
  for (size_t i = from; i < headers_.size(); ++i) {
    if (headers_[i].id == id) return i;
  }
  return npos;
}

size_t SipMessage::FindHeader(std::string_view name, size_t from) const {
  const HeaderId id = LookupHeader(name);
  if (id != HeaderId::kOther) return FindHeader(id, from);
  // Both names are of no known header: what remains of SameHeaderName() is a
  // case-insensitive comparison (a line's name is a token, with nothing to trim).
  const std::string_view wanted = TrimHeaderName(name);
  if (wanted.empty()) return npos;
  for (size_t i = from; i < headers_.size(); ++i) {
    if (headers_[i].id == HeaderId::kOther && EqualsIgnoreCase(View(headers_[i].name()), wanted)) {
      return i;
    }
  }
  return npos;
}

bool SipMessage::SetHeaderValue(size_t i, std::string_view value) {
  if (i >= headers_.size() || HasLineBreakOrNul(value)) return false;
  Span stored;
  if (!Store(TrimWsp(value), &stored)) return false;
  headers_[i].set_value(stored);
  headers_[i].modified = true;
  headers_edited_ = true;
  return true;
}

void SipMessage::RemoveHeader(size_t i) {
  if (i >= headers_.size()) return;
  headers_.erase(headers_.begin() + static_cast<std::ptrdiff_t>(i));
  headers_edited_ = true;
}

size_t SipMessage::InsertHeader(size_t pos, std::string_view name, std::string_view value) {
  if (!IsToken(name) || HasLineBreakOrNul(value)) return npos;
  HeaderLine h;
  Span stored_name;
  Span stored_value;
  if (!Store(name, &stored_name) || !Store(TrimWsp(value), &stored_value)) return npos;
  h.offset = stored_name.offset;
  h.name_length = stored_name.length;
  h.name_in_arena = stored_name.in_arena;
  h.set_value(stored_value);
  h.id = LookupHeader(name);
  h.modified = true;
  pos = std::min(pos, headers_.size());
  headers_.insert(headers_.begin() + static_cast<std::ptrdiff_t>(pos), h);
  headers_edited_ = true;
  return pos;
}

// --- body ---

std::string_view SipMessage::body() const {
  return body_modified_ ? std::string_view(new_body_) : View(body_);
}

void SipMessage::SetBody(std::string_view body) {
  const std::less<const char*> before;
  const bool aliases = !body.empty() && !before(body.data(), new_body_.data()) &&
                       before(body.data(), new_body_.data() + new_body_.size());
  if (aliases) {
    std::string copy(body);
    new_body_.swap(copy);
  } else {
    new_body_.assign(body.data(), body.size());
  }
  body_modified_ = true;
}

bool SipMessage::modified() const {
  return start_line_modified_ || body_modified_ || headers_edited_;
}

// --- serialization ---

std::string SipMessage::Serialize() const {
  std::string out;
  SerializeTo(&out);
  return out;
}

void SipMessage::SerializeTo(std::string* out) const {
  if (!modified() && crlf_only_) {
    // Everything as received: one copy from the start line to the end of the body.
    out->append(buffer_, start_line_.offset, raw_size_ - start_line_.offset);
    return;
  }

  // The new Content-Length, when the body was replaced.
  std::array<char, 24> length_digits{};
  std::string_view length_text;
  if (body_modified_) {
    size_t k = length_digits.size();
    size_t v = new_body_.size();
    do {
      length_digits[--k] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0 && k > 0);
    length_text = std::string_view(length_digits.data() + k, length_digits.size() - k);
  }

  // Each piece is copied into place in `out`, sized once for the usual message (only one
  // with many bare-LF folded lines grows it again), and trimmed to what was written.
  const size_t start = out->size();
  out->resize(start + buffer_.size() + arena_.size() + new_body_.size() + headers_.size() * 4 +
              64);
  size_t written = start;
  auto emit = [&](std::string_view piece) {
    if (piece.size() > out->size() - written) out->resize(2 * (written + piece.size()));
    if (!piece.empty()) std::memcpy(out->data() + written, piece.data(), piece.size());
    written += piece.size();
  };
  {
    // Untouched lines that follow each other in buffer_ are one piece: a rewritten message
    // usually has one or two edited lines among twenty untouched ones. Only when every line
    // ended in CRLF is a line's raw text followed by exactly "\r\n".
    size_t run_begin = 0;
    size_t run_end = 0;
    auto flush = [&] {
      if (run_end > run_begin) {
        emit(std::string_view(buffer_.data() + run_begin, run_end - run_begin));
      }
      run_begin = run_end = 0;
    };
    auto untouched = [&](Span raw, bool folded) {
      if (crlf_only_) {
        const size_t begin = raw.offset;
        const size_t end = begin + raw.length + kCrlf.size();
        if (run_end > run_begin && run_end == begin) {
          run_end = end;
        } else {
          flush();
          run_begin = begin;
          run_end = end;
        }
        return;
      }
      std::string_view text = View(raw);
      if (folded) {
        // Continuation lines keep their text; each line end becomes CRLF.
        for (size_t lf = text.find('\n'); lf != std::string_view::npos; lf = text.find('\n')) {
          std::string_view piece = text.substr(0, lf);
          if (!piece.empty() && piece.back() == '\r') piece.remove_suffix(1);
          emit(piece);
          emit(kCrlf);
          text.remove_prefix(lf + 1);
        }
      }
      emit(text);
      emit(kCrlf);
    };
    auto line = [&](std::string_view name, std::string_view value) {
      flush();
      emit(name);
      emit(": ");
      emit(value);
      emit(kCrlf);
    };

    if (start_line_modified_) {
      flush();
      emit(start_line());
      emit(kCrlf);
    } else {
      untouched(start_line_, /*folded=*/false);
    }
    bool wrote_content_length = false;
    for (const HeaderLine& h : headers_) {
      if (body_modified_ && h.id == HeaderId::kContentLength) {
        line(View(h.name()), length_text);
        wrote_content_length = true;
      } else if (h.modified) {
        line(View(h.name()), View(h.value()));
      } else {
        untouched(h.raw(), h.folded);
      }
    }
    flush();
    if (body_modified_ && !wrote_content_length) line("Content-Length", length_text);
    emit(kCrlf);
    emit(body());
  }
  out->resize(written);
}

}  // namespace smc
