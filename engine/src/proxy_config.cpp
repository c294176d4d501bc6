// Loading the smc-proxy configuration: JSON with positions, checked field by field, then
// every trunk's profiles compiled. Every problem is reported, not only the first.
#include "smc/proxy_config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_map>
#include <utility>

#include "located_json.h"

namespace smc {

std::string_view SipTransportName(SipTransport transport) {
  return transport == SipTransport::kTcp ? "tcp" : "udp";
}

const TrunkConfig* ProxyConfig::FindTrunk(std::string_view name) const {
  for (const TrunkConfig& t : trunks) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const std::string& ProxyConfig::self_host() const {
  return listen.advertised_host.empty() ? listen.address.ip : listen.advertised_host;
}

uint16_t ProxyConfig::self_port() const {
  return listen.advertised_port ? listen.advertised_port : listen.address.port;
}

namespace {

using internal::JsonPointerAppend;
using internal::LocatedJson;
using nlohmann::json;

// nta's own ceiling for a timer (NTA_TIME_MAX: 15 days).
constexpr uint64_t kMaxTimerMs = 15ull * 24 * 3600 * 1000;
constexpr uint32_t kRfc4028MinSe = 90;

std::string Quote(std::string_view s) {
  std::string out = "'";
  out.append(s);
  out.push_back('\'');
  return out;
}

std::string JsonTypeName(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a number";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    default: return "a value";
  }
}

// The canonical text of an IP literal, or nullopt when `text` is none.
std::optional<std::string> CanonicalIp(std::string_view text) {
  const std::string s(text);
  char buf[INET6_ADDRSTRLEN];
  in_addr v4;
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    return std::string(inet_ntop(AF_INET, &v4, buf, sizeof buf));
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    return std::string(inet_ntop(AF_INET6, &v6, buf, sizeof buf));
  }
  return std::nullopt;
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

// Splits "host", "host:port", "[v6]" or "[v6]:port". False when the brackets or the
// port are malformed; `port` is left alone when none is written.
bool SplitHostPort(std::string_view text, std::string_view* host, uint16_t* port,
                   bool* has_port) {
  *has_port = false;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return false;
    *host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (rest.empty()) return true;
    if (rest.front() != ':') return false;
    *has_port = true;
    return ParsePort(rest.substr(1), port);
  }
  const size_t colon = text.find(':');
  if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
    *host = text;  // a bare IPv6 literal: no port can follow without brackets
    return true;
  }
  if (colon == std::string_view::npos) {
    *host = text;
    return true;
  }
  *host = text.substr(0, colon);
  *has_port = true;
  return ParsePort(text.substr(colon + 1), port);
}

bool IsHostName(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return false;
  }
  return host.front() != '-' && host.front() != '.';
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ReadFile(const std::string& path, std::string* text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return false;
  *text = ss.str();
  return true;
}

class ConfigLoader {
 public:
  ConfigLoader(const LocatedJson& doc, std::string file, std::string base_dir,
               const ProxyConfigOptions& options, std::vector<Diagnostic>* diags)
      : doc_(doc),
        file_(std::move(file)),
        base_dir_(std::move(base_dir)),
        options_(options),
        diags_(diags) {}

  std::shared_ptr<ProxyConfig> Load() {
    auto config = std::make_shared<ProxyConfig>();
    config->file = file_;
    const json& root = doc_.value;
    if (!root.is_object()) {
      Error("", "the configuration must be an object, not " + JsonTypeName(root));
      return nullptr;
    }
    CheckKeys(root, "", {"$schema", "description", "listen", "metrics", "log_level", "timers",
                         "limits", "default_trunk", "trunks"});
    if (const json* v = Member(root, "listen")) LoadListen(*v, "/listen", &config->listen);
    if (const json* v = Member(root, "metrics")) {
      LoadMetrics(*v, "/metrics", &config->metrics);
    }
    if (const json* v = Member(root, "log_level")) {
      LoadLogLevel(*v, "/log_level", &config->log_level);
    }
    if (const json* v = Member(root, "timers")) LoadTimers(*v, "/timers", &config->timers);
    if (const json* v = Member(root, "limits")) LoadLimits(*v, "/limits", &config->limits);
    const json* trunks = Member(root, "trunks");
    if (trunks == nullptr) {
      Error("", "missing required key 'trunks'");
    } else {
      LoadTrunks(*trunks, "/trunks", config.get());
    }
    if (const json* v = Member(root, "default_trunk")) {
      if (String(*v, "/default_trunk", &config->default_trunk) &&
          config->FindTrunk(config->default_trunk) == nullptr) {
        Error("/default_trunk", "default_trunk " + Quote(config->default_trunk) +
                                    " names no trunk of this configuration");
      }
    }
    return config;
  }

  // Compiles every profile file once, in trunk order; a file shared by trunks is compiled
  // once and its profiles shared.
  void CompileProfiles(ProxyConfig* config) {
    std::unordered_map<std::string, std::vector<ProfilePtr>> compiled;
    CompileOptions copts;
    copts.strict = options_.strict;
    const auto chain_of = [&](const std::vector<std::string>& files) {
      std::vector<ProfilePtr> chain;
      for (const std::string& path : files) {
        auto it = compiled.find(path);
        if (it == compiled.end()) {
          CompileResult r = CompileProfileFile(path, copts);
          for (Diagnostic& d : r.diagnostics) diags_->push_back(std::move(d));
          it = compiled.emplace(path, std::move(r.profiles)).first;
        }
        chain.insert(chain.end(), it->second.begin(), it->second.end());
      }
      return ProfileChain(std::move(chain));
    };
    for (TrunkConfig& trunk : config->trunks) {
      trunk.ingress = chain_of(trunk.ingress_files);
      trunk.egress = chain_of(trunk.egress_files);
    }
  }

 private:
  void Add(Severity severity, const std::string& pointer, std::string message, bool at_key) {
    Diagnostic d;
    d.severity = severity;
    d.file = file_;
    d.pos = at_key ? doc_.KeyPos(pointer) : doc_.ValuePos(pointer);
    d.pointer = pointer;
    d.message = std::move(message);
    diags_->push_back(std::move(d));
  }
  void Error(const std::string& pointer, std::string message, bool at_key = false) {
    Add(Severity::kError, pointer, std::move(message), at_key);
  }
  // Promoted to an error under --strict by ParseProxyConfig, as profile warnings are.
  void Warning(const std::string& pointer, std::string message, bool at_key = false) {
    Add(Severity::kWarning, pointer, std::move(message), at_key);
  }

  static const json* Member(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
  }

  void CheckKeys(const json& obj, const std::string& pointer,
                 std::initializer_list<const char*> known) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      const bool ok = std::any_of(known.begin(), known.end(),
                                  [&](const char* k) { return it.key() == k; });
      if (!ok) {
        Warning(JsonPointerAppend(pointer, it.key()), "unknown key " + Quote(it.key()) +
                                                          " (ignored)",
                /*at_key=*/true);
      }
    }
  }

  bool Object(const json& v, const std::string& pointer) {
    if (v.is_object()) return true;
    Error(pointer, "must be an object, not " + JsonTypeName(v));
    return false;
  }

  bool String(const json& v, const std::string& pointer, std::string* out) {
    if (!v.is_string()) {
      Error(pointer, "must be a string, not " + JsonTypeName(v));
      return false;
    }
    *out = v.get<std::string>();
    return true;
  }

  bool Bool(const json& v, const std::string& pointer, bool* out) {
    if (!v.is_boolean()) {
      Error(pointer, "must be true or false, not " + JsonTypeName(v));
      return false;
    }
    *out = v.get<bool>();
    return true;
  }

  // An integer in [lo, hi].
  bool Integer(const json& v, const std::string& pointer, uint64_t lo, uint64_t hi,
               uint64_t* out) {
    if (!v.is_number_integer()) {
      Error(pointer, "must be an integer, not " + JsonTypeName(v));
      return false;
    }
    if (v.is_number_unsigned()) {
      *out = v.get<uint64_t>();
    } else {
      const int64_t s = v.get<int64_t>();
      if (s < 0) {
        Error(pointer, "must be at least " + std::to_string(lo) + ", not " + std::to_string(s));
        return false;
      }
      *out = static_cast<uint64_t>(s);
    }
    if (*out < lo || *out > hi) {
      Error(pointer, std::to_string(*out) + " is out of range: allowed " + std::to_string(lo) +
                         ".." + std::to_string(hi));
      return false;
    }
    return true;
  }

  template <typename T>
  void IntegerField(const json& obj, const std::string& pointer, const char* key, uint64_t lo,
                    uint64_t hi, T* out) {
    const json* v = Member(obj, key);
    if (v == nullptr) return;
    uint64_t n = 0;
    if (Integer(*v, JsonPointerAppend(pointer, key), lo, hi, &n)) *out = static_cast<T>(n);
  }

  void BoolField(const json& obj, const std::string& pointer, const char* key, bool* out) {
    if (const json* v = Member(obj, key)) Bool(*v, JsonPointerAppend(pointer, key), out);
  }

  // "ip:port" (port required unless `port_optional`), "[v6]:port".
  bool IpPortValue(const json& v, const std::string& pointer, bool port_optional, IpPort* out) {
    std::string text;
    if (!String(v, pointer, &text)) return false;
    std::string_view host;
    uint16_t port = 0;
    bool has_port = false;
    if (!SplitHostPort(text, &host, &port, &has_port)) {
      Error(pointer, "invalid address " + Quote(text) + ": expected ip:port with a port 1..65535");
      return false;
    }
    auto ip = CanonicalIp(host);
    if (!ip) {
      Error(pointer, "invalid address " + Quote(text) + ": " + Quote(host) +
                         " is not an IP address");
      return false;
    }
    if (!has_port && !port_optional) {
      Error(pointer, "invalid address " + Quote(text) + ": a port is required (ip:port)");
      return false;
    }
    out->ip = *ip;
    out->port = has_port ? port : 0;
    return true;
  }

  void LoadListen(const json& v, const std::string& pointer, ListenConfig* out) {
    if (!Object(v, pointer)) return;
    CheckKeys(v, pointer, {"address", "transports", "advertise"});
    if (const json* a = Member(v, "address")) {
      IpPortValue(*a, pointer + "/address", /*port_optional=*/false, &out->address);
    }
    if (const json* t = Member(v, "transports")) {
      const std::string tp = pointer + "/transports";
      if (!t->is_array() || t->empty()) {
        Error(tp, "must be a non-empty array of \"udp\" and \"tcp\"");
      } else {
        out->udp = out->tcp = false;
        for (size_t i = 0; i < t->size(); ++i) {
          const std::string ep = JsonPointerAppend(tp, i);
          std::string name;
          if (!String((*t)[i], ep, &name)) continue;
          const std::string lower = Lower(name);
          if (lower == "udp") {
            out->udp = true;
          } else if (lower == "tcp") {
            out->tcp = true;
          } else {
            Error(ep, "unknown transport " + Quote(name) + ": allowed \"udp\", \"tcp\"");
          }
        }
      }
    }
    if (const json* a = Member(v, "advertise")) {
      const std::string ap = pointer + "/advertise";
      std::string text;
      if (String(*a, ap, &text)) {
        std::string_view host;
        uint16_t port = 0;
        bool has_port = false;
        if (!SplitHostPort(text, &host, &port, &has_port) ||
            (!CanonicalIp(host) && !IsHostName(host))) {
          Error(ap, "invalid address " + Quote(text) + ": expected host[:port]");
        } else {
          auto ip = CanonicalIp(host);
          out->advertised_host = ip ? *ip : std::string(host);
          out->advertised_port = has_port ? port : 0;
        }
      }
    }
  }

  void LoadMetrics(const json& v, const std::string& pointer, MetricsConfig* out) {
    if (v.is_null()) {
      out->enabled = false;
      return;
    }
    if (!Object(v, pointer)) return;
    CheckKeys(v, pointer, {"enabled", "address"});
    BoolField(v, pointer, "enabled", &out->enabled);
    if (const json* a = Member(v, "address")) {
      IpPortValue(*a, pointer + "/address", /*port_optional=*/false, &out->address);
    }
  }

  void LoadLogLevel(const json& v, const std::string& pointer, std::string* out) {
    std::string level;
    if (!String(v, pointer, &level)) return;
    static const char* const kLevels[] = {"trace", "debug", "info",    "warn",
                                          "error", "critical", "off"};
    const std::string lower = Lower(level);
    for (const char* l : kLevels) {
      if (lower == l) {
        *out = lower;
        return;
      }
    }
    Error(pointer, "unknown log level " + Quote(level) +
                       ": allowed trace, debug, info, warn, error, critical, off");
  }

  void LoadTimers(const json& v, const std::string& pointer, SipTimers* out) {
    if (!Object(v, pointer)) return;
    CheckKeys(v, pointer, {"t1_ms", "t2_ms", "t4_ms", "t1x64_ms", "timer_c_ms"});
    IntegerField(v, pointer, "t1_ms", 1, kMaxTimerMs / 64, &out->t1_ms);
    IntegerField(v, pointer, "t2_ms", 1, kMaxTimerMs, &out->t2_ms);
    IntegerField(v, pointer, "t4_ms", 1, kMaxTimerMs, &out->t4_ms);
    IntegerField(v, pointer, "t1x64_ms", 1, kMaxTimerMs, &out->t1x64_ms);
    IntegerField(v, pointer, "timer_c_ms", 1000, kMaxTimerMs, &out->timer_c_ms);
    if (out->t2_ms < out->t1_ms) {
      Error(pointer + "/t2_ms", "t2_ms (" + std::to_string(out->t2_ms) +
                                    ") must not be below t1_ms (" + std::to_string(out->t1_ms) +
                                    ")");
    }
    if (out->t1x64_ms != 0 && out->t1x64_ms < out->t1_ms) {
      Error(pointer + "/t1x64_ms", "t1x64_ms (" + std::to_string(out->t1x64_ms) +
                                       ") must not be below t1_ms (" +
                                       std::to_string(out->t1_ms) + ")");
    }
    if (Member(v, "timer_c_ms") && out->timer_c_ms < 180000) {
      Warning(pointer + "/timer_c_ms", "timer_c_ms " + std::to_string(out->timer_c_ms) +
                                           " is below the 3 minutes RFC 3261 16.6 asks for");
    }
  }

  void LoadLimits(const json& v, const std::string& pointer, ProxyLimits* out) {
    if (!Object(v, pointer)) return;
    CheckKeys(v, pointer, {"max_message_bytes", "udp_mtu", "max_calls_in_setup",
                           "max_queue_delay_ms", "retry_after_s"});
    IntegerField(v, pointer, "max_message_bytes", 4096, 64u * 1024 * 1024,
                 &out->max_message_bytes);
    IntegerField(v, pointer, "udp_mtu", 512, 65535, &out->udp_mtu);
    IntegerField(v, pointer, "max_calls_in_setup", 0, 10000000, &out->max_calls_in_setup);
    IntegerField(v, pointer, "max_queue_delay_ms", 0, 60000, &out->max_queue_delay_ms);
    if (Member(v, "max_queue_delay_ms") && out->max_queue_delay_ms != 0 &&
        out->max_queue_delay_ms < 10) {
      Error(pointer + "/max_queue_delay_ms",
            "max_queue_delay_ms must be 0 (off) or at least 10, not " +
                std::to_string(out->max_queue_delay_ms));
    }
    IntegerField(v, pointer, "retry_after_s", 1, 86400, &out->retry_after_s);
  }

  void LoadTrunks(const json& v, const std::string& pointer, ProxyConfig* config) {
    if (!v.is_array()) {
      Error(pointer, "must be an array of trunks, not " + JsonTypeName(v));
      return;
    }
    std::map<std::string, std::string> names;  // name -> pointer of its first use
    config->trunks.reserve(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      const std::string tp = JsonPointerAppend(pointer, i);
      TrunkConfig trunk;
      if (!LoadTrunk(v[i], tp, &trunk)) continue;
      auto [it, fresh] = names.emplace(trunk.name, tp + "/name");
      if (!fresh) {
        Error(tp + "/name", "duplicate trunk name " + Quote(trunk.name) + " (first at " +
                                it->second + ")");
        continue;
      }
      config->trunks.push_back(std::move(trunk));
    }
    for (size_t i = 0; i < v.size(); ++i) {
      const std::string tp = JsonPointerAppend(pointer, i);
      const json& t = v[i];
      if (!t.is_object()) continue;
      auto r = t.find("route_to");
      if (r == t.end() || !r->is_string()) continue;
      const std::string target = r->get<std::string>();
      if (config->FindTrunk(target) == nullptr) {
        Error(tp + "/route_to", "route_to " + Quote(target) + " names no trunk");
      }
    }
  }

  bool LoadTrunk(const json& v, const std::string& pointer, TrunkConfig* out) {
    if (!Object(v, pointer)) return false;
    CheckKeys(v, pointer, {"name", "description", "sources", "address", "route_to", "ingress",
                           "egress", "session_timer"});
    bool ok = true;
    const json* name = Member(v, "name");
    if (name == nullptr) {
      Error(pointer, "missing required key 'name'");
      ok = false;
    } else if (!String(*name, pointer + "/name", &out->name)) {
      ok = false;
    } else if (out->name.empty()) {
      Error(pointer + "/name", "a trunk name must not be empty");
      ok = false;
    }
    const json* address = Member(v, "address");
    if (address == nullptr) {
      Error(pointer, "missing required key 'address'");
      ok = false;
    } else {
      ok = LoadTrunkAddress(*address, pointer + "/address", out) && ok;
    }
    if (const json* s = Member(v, "sources")) {
      const std::string sp = pointer + "/sources";
      if (!s->is_array()) {
        Error(sp, "must be an array of \"ip\" or \"ip:port\", not " + JsonTypeName(*s));
      } else {
        for (size_t i = 0; i < s->size(); ++i) {
          IpPort src;
          if (IpPortValue((*s)[i], JsonPointerAppend(sp, i), /*port_optional=*/true, &src)) {
            out->sources.push_back(std::move(src));
          }
        }
      }
    }
    if (const json* r = Member(v, "route_to")) {
      String(*r, pointer + "/route_to", &out->route_to);
    }
    if (const json* p = Member(v, "ingress")) {
      LoadProfileList(*p, pointer + "/ingress", &out->ingress_files);
    }
    if (const json* p = Member(v, "egress")) {
      LoadProfileList(*p, pointer + "/egress", &out->egress_files);
    }
    if (const json* st = Member(v, "session_timer")) {
      LoadSessionTimer(*st, pointer + "/session_timer", &out->session_timer);
    }
    return ok;
  }

  // "sip:host[:port][;params]" or "host[:port][;transport=udp|tcp]".
  bool LoadTrunkAddress(const json& v, const std::string& pointer, TrunkConfig* out) {
    std::string text;
    if (!String(v, pointer, &text)) return false;
    std::string_view rest = text;
    const std::string lower = Lower(text);
    if (lower.rfind("sips:", 0) == 0) {
      Error(pointer, "invalid address " + Quote(text) + ": sips (TLS) is not supported");
      return false;
    }
    if (lower.rfind("sip:", 0) == 0) rest.remove_prefix(4);
    if (rest.find('@') != std::string_view::npos) {
      Error(pointer, "invalid address " + Quote(text) + ": a trunk address has no user part");
      return false;
    }
    std::string_view params;
    const size_t semi = rest.find(';');
    if (semi != std::string_view::npos) {
      params = rest.substr(semi + 1);
      rest = rest.substr(0, semi);
    }
    std::string_view host;
    uint16_t port = 5060;
    bool has_port = false;
    if (!SplitHostPort(rest, &host, &port, &has_port)) {
      Error(pointer, "invalid address " + Quote(text) + ": bad port (expected 1..65535)");
      return false;
    }
    auto ip = CanonicalIp(host);
    if (!ip && !IsHostName(host)) {
      Error(pointer, "invalid address " + Quote(text) + ": " + Quote(host) +
                         " is neither an IP address nor a host name");
      return false;
    }
    out->host = ip ? *ip : Lower(host);
    out->port = port;
    while (!params.empty()) {
      const size_t next = params.find(';');
      std::string_view p = params.substr(0, next);
      params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
      const size_t eq = p.find('=');
      const std::string pname = Lower(p.substr(0, eq));
      const std::string pvalue = eq == std::string_view::npos ? "" : Lower(p.substr(eq + 1));
      if (pname == "transport") {
        if (pvalue == "udp") {
          out->transport = SipTransport::kUdp;
        } else if (pvalue == "tcp") {
          out->transport = SipTransport::kTcp;
        } else {
          Error(pointer, "invalid address " + Quote(text) + ": transport " + Quote(pvalue) +
                             " is not supported (udp or tcp)");
          return false;
        }
      } else if (!pname.empty()) {
        Warning(pointer, "URI parameter " + Quote(pname) + " of " + Quote(text) + " is ignored");
      }
    }
    const bool v6 = out->host.find(':') != std::string::npos;
    out->uri = "sip:" + (v6 ? "[" + out->host + "]" : out->host) + ":" + std::to_string(port);
    if (out->transport) {
      out->uri += ";transport=";
      out->uri += SipTransportName(*out->transport);
    }
    return true;
  }

  void LoadProfileList(const json& v, const std::string& pointer, std::vector<std::string>* out) {
    if (!v.is_array()) {
      Error(pointer, "must be an array of profile file paths, not " + JsonTypeName(v));
      return;
    }
    for (size_t i = 0; i < v.size(); ++i) {
      const std::string ep = JsonPointerAppend(pointer, i);
      std::string path;
      if (!String(v[i], ep, &path)) continue;
      if (path.empty()) {
        Error(ep, "a profile path must not be empty");
        continue;
      }
      std::filesystem::path resolved(path);
      if (resolved.is_relative() && !base_dir_.empty()) {
        resolved = std::filesystem::path(base_dir_) / resolved;
      }
      std::error_code ec;
      if (!std::filesystem::is_regular_file(resolved, ec)) {
        Error(ep, "profile file " + Quote(path) + " not found (looked for " +
                      Quote(resolved.string()) + ")");
        continue;
      }
      out->push_back(resolved.lexically_normal().string());
    }
  }

  void LoadSessionTimer(const json& v, const std::string& pointer, SessionTimerPolicy* out) {
    if (!Object(v, pointer)) return;
    CheckKeys(v, pointer, {"enabled", "min_se", "session_expires", "reject_too_small",
                           "insert_when_absent", "max_session_expires", "on_expiry"});
    BoolField(v, pointer, "enabled", &out->enabled);
    BoolField(v, pointer, "reject_too_small", &out->reject_too_small);
    BoolField(v, pointer, "insert_when_absent", &out->insert_when_absent);
    constexpr uint64_t kMax = UINT32_MAX;
    bool min_ok = true;
    if (const json* m = Member(v, "min_se")) {
      uint64_t n = 0;
      const std::string mp = pointer + "/min_se";
      if (!Integer(*m, mp, 0, kMax, &n)) {
        min_ok = false;
      } else if (n < kRfc4028MinSe) {
        Error(mp, "min_se " + std::to_string(n) + " is below 90, the RFC 4028 minimum");
        min_ok = false;
      } else {
        out->min_se = static_cast<uint32_t>(n);
      }
    }
    bool se_ok = true;
    if (const json* s = Member(v, "session_expires")) {
      uint64_t n = 0;
      se_ok = Integer(*s, pointer + "/session_expires", 1, kMax, &n);
      if (se_ok) out->session_expires = static_cast<uint32_t>(n);
    }
    if (min_ok && se_ok && out->session_expires < out->min_se) {
      const bool written = Member(v, "session_expires") != nullptr;
      Error(written ? pointer + "/session_expires" : pointer,
            "session_expires " + std::to_string(out->session_expires) +
                " is below min_se " + std::to_string(out->min_se));
    }
    if (const json* m = Member(v, "max_session_expires")) {
      uint64_t n = 0;
      const std::string mp = pointer + "/max_session_expires";
      if (Integer(*m, mp, 1, kMax, &n)) {
        if (min_ok && n < out->min_se) {
          Error(mp, "max_session_expires " + std::to_string(n) + " is below min_se " +
                        std::to_string(out->min_se));
        } else {
          out->max_session_expires = static_cast<uint32_t>(n);
        }
      }
    }
    if (const json* e = Member(v, "on_expiry")) {
      std::string action;
      const std::string ep = pointer + "/on_expiry";
      if (String(*e, ep, &action)) {
        const std::string lower = Lower(action);
        if (lower == "forget") {
          out->on_expiry = SessionTimerPolicy::ExpiryAction::kForget;
        } else if (lower == "bye") {
          out->on_expiry = SessionTimerPolicy::ExpiryAction::kBye;
        } else {
          Error(ep, "unknown on_expiry " + Quote(action) + ": allowed \"forget\", \"bye\"");
        }
      }
    }
  }

  const LocatedJson& doc_;
  std::string file_;
  std::string base_dir_;
  ProxyConfigOptions options_;
  std::vector<Diagnostic>* diags_;
};

}  // namespace

ProxyConfigResult ParseProxyConfig(std::string_view json_text, const std::string& file,
                                   const std::string& base_dir,
                                   const ProxyConfigOptions& options) {
  ProxyConfigResult result;
  auto doc = internal::ParseLocatedJson(json_text, file, &result.diagnostics);
  if (!doc) return result;
  for (const internal::DuplicateKey& dup : doc->duplicate_keys) {
    Diagnostic d;
    d.file = file;
    d.pos = dup.pos;
    d.pointer = dup.pointer;
    d.message = "duplicate key '" + dup.key + "'";
    result.diagnostics.push_back(std::move(d));
  }
  ConfigLoader loader(*doc, file, base_dir, options, &result.diagnostics);
  std::shared_ptr<ProxyConfig> config = loader.Load();
  // Profiles are compiled even when the configuration has errors, so that one validation
  // run reports everything.
  if (config && options.compile_profiles) {
    loader.CompileProfiles(config.get());
  }
  if (options.strict) result.diagnostics = PromoteWarnings(std::move(result.diagnostics));
  if (config && !HasErrors(result.diagnostics)) result.config = std::move(config);
  return result;
}

ProxyConfigResult LoadProxyConfig(const std::string& path, const ProxyConfigOptions& options) {
  std::string text;
  if (!ReadFile(path, &text)) {
    ProxyConfigResult result;
    Diagnostic d;
    d.file = path;
    d.message = "cannot read the configuration file";
    result.diagnostics.push_back(std::move(d));
    return result;
  }
  const std::string base_dir = std::filesystem::path(path).parent_path().string();
  return ParseProxyConfig(text, path, base_dir, options);
}

std::vector<Diagnostic> ValidateProxyConfigFile(const std::string& path,
                                                const ProxyConfigOptions& options) {
  return LoadProxyConfig(path, options).diagnostics;
}

}  // namespace smc
