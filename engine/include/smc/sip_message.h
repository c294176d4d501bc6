// A SIP message that keeps the original bytes of everything it does not change.
//
// Parse() splits a message into its start line, header lines and body without copying
// header text: each line is a span of the original buffer. An edit replaces one span;
// Serialize() writes untouched lines byte for byte (compact names, odd spacing, repeated
// lines and their order survive) and only edited lines in the form "Name: value".
#ifndef SMC_SIP_MESSAGE_H_
#define SMC_SIP_MESSAGE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smc/header_names.h"

namespace smc {

class SipMessage {
 public:
  static constexpr size_t npos = static_cast<size_t>(-1);

  // Parses one message. Lines of the start line and header section may end in CRLF or a
  // bare LF; folded header lines (continuation starting with SP/HT) are joined with one
  // space. The body is the Content-Length bytes after the blank line (bytes beyond it are
  // ignored, as RFC 3261 18.3 says for datagrams); a body shorter than Content-Length, a bad
  // start line, a header line without a colon or a bad Content-Length is an error.
  // Without Content-Length the body is everything after the blank line.
  // On error returns nullopt and, if `error` is not null, a one-line reason.
  static std::optional<SipMessage> Parse(std::string_view bytes, std::string* error = nullptr);

  // --- start line ---
  bool is_request() const { return is_request_; }
  std::string_view method() const;         // request method ("" for responses)
  std::string_view request_uri() const;    // "" for responses
  int status_code() const { return status_code_; }  // 0 for requests
  std::string_view reason_phrase() const;  // "" for requests
  std::string_view sip_version() const;    // "SIP/2.0" as written
  // The method this message is about: the request method, or for a response the CSeq method.
  std::string_view transaction_method() const;
  std::string_view start_line() const;
  // Replaces the Request-URI of a request (no effect on a response). Refused (false) when the
  // URI is empty or contains white space, CR, LF or NUL.
  bool SetRequestUri(std::string_view uri);

  // --- header lines (indices are of live lines, in message order) ---
  size_t header_count() const { return headers_.size(); }
  HeaderId header_id(size_t i) const { return headers_[i].id; }
  std::string_view header_name(size_t i) const;   // as written: "x", "allow", "Session-Expires"
  std::string_view header_value(size_t i) const;  // without surrounding white space
  bool header_modified(size_t i) const { return headers_[i].modified; }
  // Next line at or after `from` with this id; for kOther use the name overload.
  size_t FindHeader(HeaderId id, size_t from = 0) const;
  // Next line at or after `from` whose name is the same header as `name` (compact forms and
  // case folded).
  size_t FindHeader(std::string_view name, size_t from = 0) const;
  bool HasHeader(HeaderId id) const { return FindHeader(id) != npos; }

  // Replaces the value of line i, keeping its name as written. Refused (false, nothing
  // changed) when the value contains CR, LF or NUL.
  bool SetHeaderValue(size_t i, std::string_view value);
  // Removes line i; later indices shift down by one.
  void RemoveHeader(size_t i);
  // Inserts "name: value" before line `pos` (pos == header_count() appends after the last
  // line). Returns the new line's index, or npos when name or value is invalid (empty name,
  // a name with characters outside RFC 3261 token, a value with CR, LF or NUL).
  size_t InsertHeader(size_t pos, std::string_view name, std::string_view value);

  // --- body ---
  std::string_view body() const;
  // Replaces the body; Serialize() then rewrites (or adds) Content-Length to match.
  void SetBody(std::string_view body);
  bool body_modified() const { return body_modified_; }

  // True when any edit was made since Parse().
  bool modified() const;

  // The message as bytes: CRLF line ends, untouched lines as they were (a line that ended
  // in a bare LF gets CRLF), the body byte for byte. When the body was replaced,
  // Content-Length is set to its new size (the header keeps its name as written).
  std::string Serialize() const;
  void SerializeTo(std::string* out) const;  // appends

 private:
  // A span of buffer_ (the bytes parsed, then text written by edits while it has room) or,
  // with in_arena, of arena_ (text written by edits after that). Offsets, not pointers, so
  // that copies of a message stay valid.
  struct Span {
    uint32_t offset = 0;
    uint32_t length = 0;
    bool in_arena = false;
  };
  // Spans without a Span's padding, in 32 bytes: a message's lines fit in one small
  // allocation, and finding a line from its index, or counting lines, is a shift.
  struct HeaderLine {
    HeaderId id = HeaderId::kOther;
    bool modified = false;
    bool folded = false;  // raw() holds continuation lines, with their line ends
    bool name_in_arena = false;
    bool value_in_arena = false;
    uint32_t offset = 0;       // where the line, and so its name, starts
    uint32_t raw_length = 0;   // the whole line as received, without its line end
    uint32_t name_length = 0;
    uint32_t value_offset = 0;
    uint32_t value_length = 0;
    uint32_t unused = 0;  // pads to 32 bytes

    Span raw() const { return Span{offset, raw_length, false}; }  // a line parsed
    Span name() const { return Span{offset, name_length, name_in_arena}; }  // as written
    // Trimmed; for a folded line, the joined text.
    Span value() const { return Span{value_offset, value_length, value_in_arena}; }
    void set_value(Span s) {
      value_offset = s.offset;
      value_length = s.length;
      value_in_arena = s.in_arena;
    }
  };

  // Parse() into this message, default-constructed: "" on success, else why not.
  std::string ParseInto(std::string_view bytes);
  std::string_view View(Span s) const {
    const std::string& buffer = s.in_arena ? arena_ : buffer_;
    if (s.offset > buffer.size() || s.length > buffer.size() - s.offset) return {};
    return std::string_view(buffer.data() + s.offset, s.length);
  }
  // Copies text (which may itself lie in the message) to buffer_'s room or the arena. False,
  // with nothing stored, when that would outgrow what a Span can address.
  bool Store(std::string_view text, Span* span);

  // The bytes parsed, up to the end of the body ([0, raw_size_)), then text edits wrote: an
  // edit appends here only within the capacity Parse() reserved, so that the first edits
  // allocate nothing and buffer_ is never reallocated (views of the bytes parsed stay
  // valid, as with a separate copy).
  std::string buffer_;
  uint32_t raw_size_ = 0;
  std::string arena_;     // text edits wrote once buffer_ had no room left
  std::string new_body_;  // the body after SetBody()
  bool is_request_ = false;
  int status_code_ = 0;
  bool start_line_modified_ = false;
  bool body_modified_ = false;
  bool headers_edited_ = false;
  // Every line up to the blank line ended in CRLF: an unedited message serializes as one
  // copy of buffer_.
  bool crlf_only_ = true;
  Span start_line_;
  Span method_;        // or the status code text for a response
  Span request_uri_;   // or the reason phrase for a response
  Span version_;
  std::vector<HeaderLine> headers_;
  Span body_;
};

}  // namespace smc

#endif  // SMC_SIP_MESSAGE_H_
