#include "session_timer_headers.h"

#include <algorithm>
#include <limits>
#include <string>

namespace smc::internal::sst {
namespace {

bool IsWhitespace(char c) { return c == ' ' || c == '\t'; }

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Index just past the quoted string starting at `i` (which holds '"'); value.size() when
// the quote never closes.
size_t SkipQuoted(std::string_view value, size_t i) {
  for (++i; i < value.size(); ++i) {
    if (value[i] == '\\') {
      ++i;
    } else if (value[i] == '"') {
      return i + 1;
    }
  }
  return value.size();
}

// Where the header parameters of a name-addr / addr-spec start (the first ';' after the
// address), or value.size() when there are none.
size_t ParamsStart(std::string_view value) {
  size_t i = 0;
  while (i < value.size()) {
    char c = value[i];
    if (c == '"') {
      i = SkipQuoted(value, i);
    } else if (c == '<') {
      size_t close = value.find('>', i);
      if (close == std::string_view::npos) return value.size();
      size_t semi = value.find(';', close);
      return semi == std::string_view::npos ? value.size() : semi;
    } else if (c == ';') {
      return i;
    } else {
      ++i;
    }
  }
  return value.size();
}

// Calls fn(name, value) for each ";name[=value]" of `params` (which starts at a ';' or is
// empty); stops early when fn returns true.
template <typename Fn>
void ForEachParam(std::string_view params, Fn fn) {
  size_t i = 0;
  while (i < params.size()) {
    if (params[i] != ';') {
      ++i;
      continue;
    }
    size_t start = ++i;
    // A parameter ends at the next ';' outside a quoted string.
    while (i < params.size() && params[i] != ';') {
      i = params[i] == '"' ? SkipQuoted(params, i) : i + 1;
    }
    std::string_view param = params.substr(start, i - start);
    size_t eq = param.find('=');
    std::string_view name = TrimWhitespace(param.substr(0, eq));
    std::string_view val =
        eq == std::string_view::npos ? std::string_view() : TrimWhitespace(param.substr(eq + 1));
    if (!name.empty() && fn(name, val)) return;
  }
}

}  // namespace

std::string_view TrimWhitespace(std::string_view s) {
  while (!s.empty() && IsWhitespace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsWhitespace(s.back())) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

std::optional<IntervalValue> ParseInterval(std::string_view value) {
  value = TrimWhitespace(value);
  size_t digits = 0;
  uint64_t seconds = 0;
  while (digits < value.size() && value[digits] >= '0' && value[digits] <= '9') {
    seconds = seconds * 10 + static_cast<uint64_t>(value[digits] - '0');
    if (seconds > std::numeric_limits<uint32_t>::max()) {
      seconds = std::numeric_limits<uint32_t>::max() + uint64_t{1};  // saturate, keep reading
    }
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  IntervalValue out;
  out.seconds = static_cast<uint32_t>(
      std::min<uint64_t>(seconds, std::numeric_limits<uint32_t>::max()));
  out.rest = value.substr(digits);
  std::string_view after = TrimWhitespace(out.rest);
  if (!after.empty() && after.front() != ';') return std::nullopt;  // "1800 s", "18x00"
  ForEachParam(after, [&out](std::string_view name, std::string_view val) {
    if (!EqualsIgnoreCase(name, "refresher")) return false;
    if (EqualsIgnoreCase(val, "uac")) {
      out.refresher = Refresher::kUac;
    } else if (EqualsIgnoreCase(val, "uas")) {
      out.refresher = Refresher::kUas;
    }
    return true;
  });
  return out;
}

IntervalHeader FindInterval(const SipMessage& message, HeaderId id) {
  IntervalHeader out;
  out.line = message.FindHeader(id);
  if (out.present()) out.value = ParseInterval(message.header_value(out.line));
  return out;
}

bool SetIntervalSeconds(SipMessage& message, size_t line, const IntervalValue& old_value,
                        uint32_t seconds) {
  std::string value = std::to_string(seconds);
  value.append(old_value.rest);
  return message.SetHeaderValue(line, value);
}

std::vector<std::string_view> SplitHeaderList(std::string_view value) {
  std::vector<std::string_view> out;
  size_t start = 0;
  size_t i = 0;
  auto flush = [&](size_t end) {
    std::string_view element = TrimWhitespace(value.substr(start, end - start));
    if (!element.empty()) out.push_back(element);
  };
  while (i < value.size()) {
    char c = value[i];
    if (c == '"') {
      i = SkipQuoted(value, i);
    } else if (c == '<') {
      size_t close = value.find('>', i);
      i = close == std::string_view::npos ? value.size() : close + 1;
    } else if (c == ',') {
      flush(i);
      start = ++i;
    } else {
      ++i;
    }
  }
  flush(value.size());
  return out;
}

bool HasOptionTag(const SipMessage& message, HeaderId id, std::string_view tag) {
  for (size_t i = message.FindHeader(id); i != SipMessage::npos;
       i = message.FindHeader(id, i + 1)) {
    for (std::string_view element : SplitHeaderList(message.header_value(i))) {
      if (EqualsIgnoreCase(element, tag)) return true;
    }
  }
  return false;
}

void AddOptionTag(SipMessage& message, HeaderId id, std::string_view tag) {
  if (HasOptionTag(message, id, tag)) return;
  size_t line = message.FindHeader(id);
  if (line == SipMessage::npos) {
    message.InsertHeader(message.header_count(), CanonicalHeaderName(id), tag);
    return;
  }
  std::string value(message.header_value(line));
  if (!TrimWhitespace(value).empty()) value.append(", ");
  value.append(tag);
  message.SetHeaderValue(line, value);
}

std::optional<std::string_view> HeaderParam(std::string_view value, std::string_view name) {
  std::optional<std::string_view> found;
  ForEachParam(value.substr(ParamsStart(value)),
               [&](std::string_view param_name, std::string_view param_value) {
                 if (!EqualsIgnoreCase(param_name, name)) return false;
                 found = param_value;
                 return true;
               });
  return found;
}

std::string_view AddressUri(std::string_view value) {
  value = TrimWhitespace(value);
  size_t i = 0;
  while (i < value.size()) {
    if (value[i] == '"') {
      i = SkipQuoted(value, i);
    } else if (value[i] == '<') {
      size_t close = value.find('>', i);
      if (close == std::string_view::npos) return {};
      return TrimWhitespace(value.substr(i + 1, close - i - 1));
    } else {
      ++i;
    }
  }
  // addr-spec: the URI runs to the first header parameter.
  return TrimWhitespace(value.substr(0, value.find(';')));
}

bool UriHasLr(std::string_view uri) {
  // URI parameters sit between the host part and any '?headers'.
  uri = uri.substr(0, uri.find('?'));
  size_t semi = uri.find(';');
  bool found = false;
  if (semi == std::string_view::npos) return false;
  ForEachParam(uri.substr(semi), [&found](std::string_view name, std::string_view) {
    found = EqualsIgnoreCase(name, "lr");
    return found;
  });
  return found;
}

std::string_view FirstValue(const SipMessage& message, HeaderId id) {
  size_t line = message.FindHeader(id);
  return line == SipMessage::npos ? std::string_view() : message.header_value(line);
}

std::vector<std::string_view> ListElements(const SipMessage& message, HeaderId id) {
  std::vector<std::string_view> out;
  for (size_t i = message.FindHeader(id); i != SipMessage::npos;
       i = message.FindHeader(id, i + 1)) {
    for (std::string_view element : SplitHeaderList(message.header_value(i))) {
      out.push_back(element);
    }
  }
  return out;
}

std::optional<CSeqValue> ParseCSeq(std::string_view value) {
  value = TrimWhitespace(value);
  size_t digits = 0;
  uint64_t n = 0;
  while (digits < value.size() && value[digits] >= '0' && value[digits] <= '9') {
    n = n * 10 + static_cast<uint64_t>(value[digits] - '0');
    if (n > std::numeric_limits<uint32_t>::max()) return std::nullopt;
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  CSeqValue out;
  out.number = static_cast<uint32_t>(n);
  out.method = TrimWhitespace(value.substr(digits));
  if (out.method.empty()) return std::nullopt;
  return out;
}

}  // namespace smc::internal::sst
