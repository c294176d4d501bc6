#include "line_ends.h"

#include <cctype>
#include <optional>

namespace smc::cli {
namespace {

bool HasBareLf(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) return true;
  }
  return false;
}

std::string ToCrlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out.push_back('\r');
    out.push_back(text[i]);
  }
  return out;
}

// Offset of the first byte after the blank line that ends the header section (the body),
// or nullopt when there is no blank line. Works for CRLF, LF and mixed line ends.
std::optional<size_t> BodyStart(std::string_view text) {
  size_t line_start = 0;
  while (line_start < text.size()) {
    size_t lf = text.find('\n', line_start);
    if (lf == std::string_view::npos) return std::nullopt;
    size_t line_end = lf;
    if (line_end > line_start && text[line_end - 1] == '\r') --line_end;
    // The first line is the start line: a message that begins with a blank line has no
    // header section to end, leave it to the parser.
    if (line_end == line_start && line_start != 0) return lf + 1;
    line_start = lf + 1;
  }
  return std::nullopt;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsContentLengthName(std::string_view name) {
  name = Trim(name);
  static constexpr std::string_view kFull = "content-length";
  if (name.size() == 1) return name[0] == 'l' || name[0] == 'L';
  if (name.size() != kFull.size()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(name[i])) != kFull[i]) return false;
  }
  return true;
}

std::optional<size_t> ParseDecimal(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  size_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  return n;
}

// Rewrites the digits of the first Content-Length header of `text` (CRLF, header section
// ending at `body_start`) from `expected` to `replacement`. False when there is no such
// header or its value is not `expected`.
bool FixContentLength(std::string& text, size_t body_start, size_t expected,
                      size_t replacement) {
  size_t line_start = text.find("\r\n");  // skip the start line
  if (line_start == std::string::npos) return false;
  line_start += 2;
  while (line_start < body_start) {
    size_t line_end = text.find("\r\n", line_start);
    if (line_end == std::string::npos || line_end >= body_start) return false;
    std::string_view line(text.data() + line_start, line_end - line_start);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos && IsContentLengthName(line.substr(0, colon))) {
      std::string_view raw_value = line.substr(colon + 1);
      std::string_view value = Trim(raw_value);
      if (ParseDecimal(value) != expected) return false;
      size_t value_offset = line_start + colon + 1 +
                            static_cast<size_t>(value.data() - raw_value.data());
      text.replace(value_offset, value.size(), std::to_string(replacement));
      return true;
    }
    line_start = line_end + 2;
  }
  return false;
}

}  // namespace

CrlfConversion ConvertBareLfToCrlf(std::string_view input) {
  CrlfConversion result;
  if (!HasBareLf(input)) {
    result.text = std::string(input);
    return result;
  }
  result.converted = true;
  result.text = ToCrlf(input);

  std::optional<size_t> old_body = BodyStart(input);
  std::optional<size_t> new_body = BodyStart(result.text);
  if (!old_body || !new_body) return result;
  size_t old_length = input.size() - *old_body;
  size_t new_length = result.text.size() - *new_body;
  if (old_length == new_length) return result;
  if (FixContentLength(result.text, *new_body, old_length, new_length)) {
    result.content_length_fixed = true;
    result.old_content_length = old_length;
    result.new_content_length = new_length;
  }
  return result;
}

}  // namespace smc::cli
