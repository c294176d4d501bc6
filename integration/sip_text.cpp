#include "sip_text.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace smc::proxy {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool ParsePort(std::string_view text, uint16_t* port) {
  if (text.empty() || text.size() > 5) return false;
  uint32_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  if (v == 0 || v > 65535) return false;
  *port = static_cast<uint16_t>(v);
  return true;
}

// "host", "host:port", "[v6]", "[v6]:port".
bool ParseHostPort(std::string_view text, std::string_view* host, uint16_t* port) {
  *port = 0;
  if (text.empty()) return false;
  if (text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    *host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (rest.empty()) return true;
    return rest.front() == ':' && ParsePort(rest.substr(1), port);
  }
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    *host = text;
  } else {
    *host = text.substr(0, colon);
    if (!ParsePort(text.substr(colon + 1), port)) return false;
  }
  if (host->empty()) return false;
  for (char c : *host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<SipUriParts> ParseSipUri(std::string_view uri) {
  uri = Trim(uri);
  SipUriParts parts;
  if (uri.size() > 4 && IEquals(uri.substr(0, 4), "sip:")) {
    uri.remove_prefix(4);
  } else if (uri.size() > 5 && IEquals(uri.substr(0, 5), "sips:")) {
    uri.remove_prefix(5);
    parts.secure = true;
  } else {
    return std::nullopt;
  }
  const size_t q = uri.find('?');
  if (q != std::string_view::npos) uri = uri.substr(0, q);
  // The user part ends at the last '@' before any parameter of the host part; a ';' may
  // appear in a user part (user parameters), so look for '@' first.
  const size_t at = uri.rfind('@');
  std::string_view hostpart = uri;
  if (at != std::string_view::npos) {
    parts.user = uri.substr(0, at);
    hostpart = uri.substr(at + 1);
  }
  const size_t semi = hostpart.find(';');
  if (semi != std::string_view::npos) {
    parts.params = hostpart.substr(semi + 1);
    hostpart = hostpart.substr(0, semi);
  }
  if (!ParseHostPort(hostpart, &parts.host, &parts.port)) return std::nullopt;
  return parts;
}

bool IsValidRequestUri(std::string_view uri) {
  const size_t colon = uri.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 == uri.size()) return false;
  const auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(uri[0])) return false;
  for (char c : uri.substr(1, colon - 1)) {
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return false;
  }
  const std::string_view scheme = uri.substr(0, colon);
  if (IEquals(scheme, "sip") || IEquals(scheme, "sips")) return ParseSipUri(uri).has_value();
  return true;
}

std::optional<std::string_view> FindParam(std::string_view params, std::string_view name) {
  while (!params.empty()) {
    if (params.front() == ';') {
      params.remove_prefix(1);
      continue;
    }
    const size_t end = params.find(';');
    std::string_view p = Trim(params.substr(0, end));
    params = end == std::string_view::npos ? std::string_view() : params.substr(end + 1);
    const size_t eq = p.find('=');
    if (IEquals(Trim(p.substr(0, eq)), name)) {
      return eq == std::string_view::npos ? std::string_view() : Trim(p.substr(eq + 1));
    }
  }
  return std::nullopt;
}

std::string_view NameAddrUri(std::string_view value) {
  value = Trim(value);
  bool quoted = false;
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (quoted) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == '<') {
      const size_t close = value.find('>', i + 1);
      if (close == std::string_view::npos) return std::string_view();
      return Trim(value.substr(i + 1, close - i - 1));
    }
  }
  return value;
}

std::vector<std::string_view> SplitHeaderList(std::string_view value) {
  std::vector<std::string_view> out;
  bool quoted = false;
  bool angle = false;
  size_t start = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (quoted) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == '<') {
      angle = true;
    } else if (c == '>') {
      angle = false;
    } else if (c == ',' && !angle) {
      std::string_view e = Trim(value.substr(start, i - start));
      if (!e.empty()) out.push_back(e);
      start = i + 1;
    }
  }
  std::string_view e = Trim(value.substr(std::min(start, value.size())));
  if (!e.empty()) out.push_back(e);
  return out;
}

std::optional<ViaParts> ParseVia(std::string_view via) {
  via = Trim(via);
  // sent-protocol: SIP / 2.0 / transport (LWS allowed around the slashes)
  size_t pos = 0;
  int slashes = 0;
  while (pos < via.size() && slashes < 2) {
    if (via[pos] == '/') ++slashes;
    ++pos;
  }
  if (slashes < 2) return std::nullopt;
  std::string_view rest = Trim(via.substr(pos));
  const size_t sp = rest.find_first_of(" \t");
  if (sp == std::string_view::npos) return std::nullopt;
  ViaParts parts;
  parts.transport = rest.substr(0, sp);
  rest = Trim(rest.substr(sp));
  const size_t semi = rest.find(';');
  std::string_view sent_by = Trim(rest.substr(0, semi));
  if (semi != std::string_view::npos) parts.params = rest.substr(semi + 1);
  if (!ParseHostPort(sent_by, &parts.host, &parts.port)) return std::nullopt;
  return parts;
}

namespace {

// True for "a.b.c.d" with each part a decimal 0..255 without leading zeros: exactly the
// text inet_pton(AF_INET) accepts, which inet_ntop writes back unchanged.
bool IsCanonicalDottedQuad(std::string_view s) {
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    const size_t begin = i;
    unsigned value = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - begin < 3) {
      value = value * 10 + static_cast<unsigned>(s[i] - '0');
      ++i;
    }
    const size_t digits = i - begin;
    if (digits == 0 || value > 255 || (digits > 1 && s[begin] == '0')) return false;
    ++parts;
    if (parts < 4) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
  }
  return i == s.size();
}

}  // namespace

std::string CanonicalHost(std::string_view host) {
  // The usual case, an IPv4 literal, without the two library calls (inet_ntop formats with
  // sprintf): it is its own canonical form.
  if (IsCanonicalDottedQuad(host)) return std::string(host);
  const std::string s(host);
  char buf[INET6_ADDRSTRLEN];
  in_addr v4;
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) return inet_ntop(AF_INET, &v4, buf, sizeof buf);
  in6_addr v6;
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    return inet_ntop(AF_INET6, &v6, buf, sizeof buf);
  }
  std::string out = s;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace smc::proxy
