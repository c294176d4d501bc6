// Rendering diagnostics as one text line or one JSON object.
#include "smc/diagnostic.h"

#include <string_view>

namespace smc {
namespace {

constexpr char kHex[] = "0123456789abcdef";

std::string_view SeverityName(Severity s) { return s == Severity::kError ? "error" : "warning"; }

// Fields are untrusted text (a key or regex quoted from the file): a line break in one
// must not split the diagnostic over two lines, so control characters are escaped.
void AppendOneLine(std::string_view text, std::string* out) {
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out->append("\\n");
    } else if (c == '\r') {
      out->append("\\r");
    } else if (u < 0x20 && c != '\t') {
      out->append("\\x");
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 0xf]);
    } else {
      out->push_back(c);
    }
  }
}

// Length of the well-formed UTF-8 sequence at the start of s, or 0 when it is not one
// (overlong forms, surrogates and code points above U+10FFFF are not well formed).
size_t Utf8SequenceLength(std::string_view s) {
  const auto byte = [&s](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(0);
  if (b0 < 0x80) return 1;
  const auto cont = [&](size_t i) { return i < s.size() && (byte(i) & 0xc0) == 0x80; };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    if (b0 == 0xe0 && byte(1) < 0xa0) return 0;   // overlong
    if (b0 == 0xed && byte(1) >= 0xa0) return 0;  // surrogate
    return 3;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (b0 == 0xf0 && byte(1) < 0x90) return 0;   // overlong
    if (b0 == 0xf4 && byte(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

// A JSON string literal (RFC 8259). Bytes that are not UTF-8 become U+FFFD, so that the
// output is always valid JSON whatever the input file held.
void AppendJsonString(std::string_view text, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    const unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      const size_t len = Utf8SequenceLength(text.substr(i));
      if (len == 0) {
        out->append("\\ufffd");
        ++i;
      } else {
        out->append(text.substr(i, len));
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (u < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[u >> 4]);
          out->push_back(kHex[u & 0xf]);
        } else {
          out->push_back(c);
        }
    }
    ++i;
  }
  out->push_back('"');
}

}  // namespace

std::string FormatDiagnostic(const Diagnostic& d) {
  std::string out;
  out.reserve(d.file.size() + d.pointer.size() + d.message.size() + 40);
  AppendOneLine(d.file, &out);
  out.push_back(':');
  out.append(std::to_string(d.pos.line));
  out.push_back(':');
  out.append(std::to_string(d.pos.column));
  out.append(": ");
  out.append(SeverityName(d.severity));
  out.append(": ");
  if (d.pointer.empty()) {
    out.append("\"\"");
  } else {
    AppendOneLine(d.pointer, &out);
  }
  out.append(": ");
  AppendOneLine(d.message, &out);
  return out;
}

std::string DiagnosticToJson(const Diagnostic& d) {
  std::string out;
  out.reserve(d.file.size() + d.pointer.size() + d.message.size() + 96);
  out.append("{\"file\":");
  AppendJsonString(d.file, &out);
  out.append(",\"line\":");
  out.append(std::to_string(d.pos.line));
  out.append(",\"column\":");
  out.append(std::to_string(d.pos.column));
  out.append(",\"severity\":\"");
  out.append(SeverityName(d.severity));
  out.append("\",\"pointer\":");
  AppendJsonString(d.pointer, &out);
  out.append(",\"message\":");
  AppendJsonString(d.message, &out);
  out.push_back('}');
  return out;
}

bool HasErrors(const std::vector<Diagnostic>& diagnostics) {
  for (const Diagnostic& d : diagnostics) {
    if (d.severity == Severity::kError) return true;
  }
  return false;
}

std::vector<Diagnostic> PromoteWarnings(std::vector<Diagnostic> diagnostics) {
  for (Diagnostic& d : diagnostics) d.severity = Severity::kError;
  return diagnostics;
}

}  // namespace smc
