#include "located_json.h"

#include <algorithm>
#include <string>
#include <utility>

namespace smc::internal {
namespace {

using nlohmann::json;

// Follows the text in step with the SAX events to find where each token starts. nlohmann
// reports no positions, but every event it sends is for a token it has just lexed, in text
// order, so skipping white space and separators from the previous token's end always lands
// on the current one. Never reads past the end of the text.
class TokenCursor {
 public:
  explicit TokenCursor(std::string_view text) : text_(text) {
    // nlohmann skips a UTF-8 byte order mark at the start; so must we.
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") Advance(3);
  }

  // Moves to the start of the next token, returns its position and moves past it.
  SourcePos NextToken() {
    while (offset_ < text_.size()) {
      const char c = text_[offset_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != ',' && c != ':') break;
      Advance(1);
    }
    const SourcePos pos{line_, static_cast<int>(offset_ - line_start_) + 1};
    if (offset_ >= text_.size()) return pos;
    const char c = text_[offset_];
    if (c == '"') {
      size_t i = offset_ + 1;
      while (i < text_.size() && text_[i] != '"') i += text_[i] == '\\' ? 2 : 1;
      Advance(std::min(i + 1, text_.size()) - offset_);
    } else if (c == '{' || c == '}' || c == '[' || c == ']') {
      Advance(1);
    } else {
      // A number or a literal (true, false, null): everything up to the next delimiter.
      size_t i = offset_;
      while (i < text_.size()) {
        const char d = text_[i];
        if (d == ' ' || d == '\t' || d == '\n' || d == '\r' || d == ',' || d == ':' ||
            d == '{' || d == '}' || d == '[' || d == ']' || d == '"') {
          break;
        }
        ++i;
      }
      Advance(std::max<size_t>(i - offset_, 1));
    }
    return pos;
  }

 private:
  void Advance(size_t n) {
    for (size_t end = std::min(offset_ + n, text_.size()); offset_ < end; ++offset_) {
      if (text_[offset_] == '\n') {
        ++line_;
        line_start_ = offset_ + 1;
      }
    }
  }

  std::string_view text_;
  size_t offset_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
};

// Builds the json value (as nlohmann's DOM parser would, except that a repeated key keeps
// its first value) and records positions.
class LocatingHandler {
 public:
  LocatingHandler(std::string_view text, LocatedJson* out) : cursor_(text), out_(out) {}

  bool null() { return Scalar(nullptr); }
  bool boolean(bool v) { return Scalar(v); }
  bool number_integer(json::number_integer_t v) { return Scalar(v); }
  bool number_unsigned(json::number_unsigned_t v) { return Scalar(v); }
  bool number_float(json::number_float_t v, const json::string_t&) { return Scalar(v); }
  bool string(json::string_t& v) { return Scalar(std::move(v)); }
  bool binary(json::binary_t& v) { return Scalar(std::move(v)); }

  bool start_object(std::size_t) { return Open(json::object()); }
  bool start_array(std::size_t) { return Open(json::array()); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }

  bool key(json::string_t& k) {
    const SourcePos pos = cursor_.NextToken();
    Frame& f = stack_.back();
    f.key = k;
    f.discard_member = false;
    if (f.discarded) return true;
    const std::string pointer = JsonPointerAppend(f.pointer, k);
    if (f.node->contains(k)) {
      f.discard_member = true;
      out_->duplicate_keys.push_back(DuplicateKey{pointer, k, pos});
    } else {
      out_->key_pos[pointer] = pos;
    }
    return true;
  }

  bool parse_error(std::size_t position, const std::string&, const json::exception& e) {
    error_position_ = position;
    error_message_ = e.what();
    return false;
  }

  size_t error_position() const { return error_position_; }
  const std::string& error_message() const { return error_message_; }

 private:
  struct Frame {
    json* node;               // the object or array being filled
    std::string pointer;      // its pointer
    bool discarded;           // part of a repeated member's value: built, then dropped
    size_t next_index = 0;    // arrays: index of the next element
    std::string key;          // objects: key of the member whose value comes next
    bool discard_member = false;  // that key repeats one already in the object
  };

  // Where the next value goes. Sets `pointer` and `located` (whether to record it).
  json* NextSlot(std::string* pointer, bool* located) {
    if (stack_.empty()) {
      pointer->clear();
      *located = true;
      return &out_->value;
    }
    Frame& f = stack_.back();
    *located = !f.discarded;
    if (f.node->is_array()) {
      *pointer = JsonPointerAppend(f.pointer, f.next_index++);
      f.node->push_back(nullptr);
      return &f.node->back();
    }
    *pointer = JsonPointerAppend(f.pointer, f.key);
    if (f.discard_member) {
      // Only outside discarded values, so the scratch value is never in use here.
      *located = false;
      scratch_ = nullptr;
      return &scratch_;
    }
    return &(*f.node)[f.key];
  }

  template <typename T>
  bool Scalar(T&& v) {
    const SourcePos pos = cursor_.NextToken();
    std::string pointer;
    bool located = false;
    json* slot = NextSlot(&pointer, &located);
    *slot = json(std::forward<T>(v));
    if (located) out_->value_pos[pointer] = pos;
    return true;
  }

  bool Open(json empty) {
    const SourcePos pos = cursor_.NextToken();
    std::string pointer;
    bool located = false;
    json* slot = NextSlot(&pointer, &located);
    *slot = std::move(empty);
    if (located) out_->value_pos[pointer] = pos;
    stack_.push_back(Frame{slot, std::move(pointer), !located, 0, "", false});
    return true;
  }

  bool Close() {
    cursor_.NextToken();
    stack_.pop_back();
    return true;
  }

  TokenCursor cursor_;
  LocatedJson* out_;
  std::vector<Frame> stack_;
  json scratch_;
  size_t error_position_ = 0;
  std::string error_message_;
};

// "[json.exception.parse_error.101] parse error at line 1, column 5: syntax error ..." ->
// "syntax error ...": the position is given by the diagnostic itself.
std::string CleanErrorMessage(std::string message) {
  if (message.rfind("[json.exception.", 0) == 0) {
    const size_t end = message.find("] ");
    if (end != std::string::npos) message.erase(0, end + 2);
  }
  if (message.rfind("parse error", 0) == 0) {
    const size_t colon = message.find(": ");
    if (colon != std::string::npos) message.erase(0, colon + 2);
  }
  return message;
}

}  // namespace

SourcePos LocatedJson::ValuePos(const std::string& pointer) const {
  const auto it = value_pos.find(pointer);
  return it == value_pos.end() ? SourcePos{} : it->second;
}

SourcePos LocatedJson::KeyPos(const std::string& pointer) const {
  const auto it = key_pos.find(pointer);
  return it == key_pos.end() ? SourcePos{} : it->second;
}

std::optional<LocatedJson> ParseLocatedJson(std::string_view text, const std::string& file,
                                            std::vector<Diagnostic>* diags) {
  LocatedJson result;
  LocatingHandler handler(text, &result);
  const bool ok = json::sax_parse(text.begin(), text.end(), &handler,
                                  json::input_format_t::json, /*strict=*/true,
                                  /*ignore_comments=*/false);
  if (ok) return result;
  if (diags != nullptr) {
    // nlohmann counts characters read, the failing one included: it is at position - 1.
    const size_t pos = handler.error_position();
    diags->push_back(Diagnostic{Severity::kError, file,
                                PositionOfOffset(text, pos == 0 ? 0 : pos - 1), "",
                                CleanErrorMessage(handler.error_message())});
  }
  return std::nullopt;
}

std::string JsonPointerToken(std::string_view key) {
  std::string token;
  token.reserve(key.size());
  for (const char c : key) {
    if (c == '~') {
      token += "~0";
    } else if (c == '/') {
      token += "~1";
    } else {
      token += c;
    }
  }
  return token;
}

std::string JsonPointerAppend(const std::string& parent, std::string_view key) {
  return parent + "/" + JsonPointerToken(key);
}

std::string JsonPointerAppend(const std::string& parent, size_t index) {
  return parent + "/" + std::to_string(index);
}

SourcePos PositionOfOffset(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return SourcePos{line, static_cast<int>(offset - line_start) + 1};
}

}  // namespace smc::internal
