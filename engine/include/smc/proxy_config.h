// The smc-proxy configuration: a JSON file checked and compiled into one immutable snapshot.
//
// A loaded ProxyConfig is complete: every trunk's profiles are compiled into ProfileChains,
// every address is parsed, every cross-reference (route_to, default_trunk) resolved. The
// proxy swaps whole snapshots on reload; nothing in one is ever modified. See docs/proxy.md
// for the format. No sofia-sip type appears here: the engine stays free of it.
#ifndef SMC_PROXY_CONFIG_H_
#define SMC_PROXY_CONFIG_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smc/diagnostic.h"
#include "smc/profile.h"
#include "smc/session_timer_policy.h"

namespace smc {

enum class SipTransport : uint8_t { kUdp, kTcp };

// "udp" / "tcp".
std::string_view SipTransportName(SipTransport transport);

// An IP literal (IPv4 dotted quad or IPv6, kept in its canonical text form) and a port.
struct IpPort {
  std::string ip;
  uint16_t port = 0;  // 0 where "any port" is allowed (a trunk source given as an ip only)
};

struct ListenConfig {
  // Where smc-proxy binds: an IP literal (not a name) and a port. Default 127.0.0.1:5060.
  IpPort address{"127.0.0.1", 5060};
  bool udp = true;
  bool tcp = true;
  // host:port written in Record-Route and compared with Route and Request-URI to recognise
  // the proxy itself. Default: `address`.
  std::string advertised_host;
  uint16_t advertised_port = 0;
};

struct MetricsConfig {
  bool enabled = true;
  IpPort address{"127.0.0.1", 9464};
};

// RFC 3261 timers, in milliseconds. nta's defaults; each maps to one NTATAG_*.
struct SipTimers {
  uint32_t t1_ms = 500;        // NTATAG_SIP_T1
  uint32_t t2_ms = 4000;       // NTATAG_SIP_T2
  uint32_t t4_ms = 5000;       // NTATAG_SIP_T4
  // Timers B, F, H, J (transaction timeout, and how long nta keeps a finished transaction
  // to absorb retransmissions): NTATAG_SIP_T1X64. 0 means 64 * t1_ms.
  uint32_t t1x64_ms = 0;
  uint32_t timer_c_ms = 185000;  // NTATAG_TIMER_C: an INVITE's wait for a final response
  uint32_t effective_t1x64_ms() const { return t1x64_ms ? t1x64_ms : 64 * t1_ms; }
};

struct ProxyLimits {
  // The largest message accepted, on any transport (NTATAG_MAXSIZE). A larger one gets
  // 413 where nta can answer, and a TCP connection sending one is closed.
  uint32_t max_message_bytes = 65536;
  // A request larger than this is not sent over UDP (RFC 3261 18.1.1 would switch to TCP):
  // NTATAG_UDP_MTU. Default 65535: trunks are UDP peers and keep getting UDP, as Kamailio does.
  uint32_t udp_mtu = 65535;
  // Overload: a new INVITE is answered 503 with Retry-After, statelessly, while either limit
  // is exceeded (docs/reliability.md). 0 turns a limit off.
  // INVITEs forwarded and not yet finally answered.
  uint32_t max_calls_in_setup = 5000;
  // How long (ms) a message may wait in the UDP socket before the proxy reads it; above it a
  // share of new INVITEs is shed, the larger the longer it lasts.
  uint32_t max_queue_delay_ms = 100;
  uint32_t retry_after_s = 5;  // the 503's Retry-After
};

struct TrunkConfig {
  std::string name;
  // Where the trunk sends from. An ip-only entry (port 0) matches any source port (TCP's
  // ephemeral ports); an ip:port entry is preferred over it.
  std::vector<IpPort> sources;
  // Where the trunk is reached: host (IP literal or name), port (5060 when not written) and
  // an explicit transport when one was written.
  std::string host;
  uint16_t port = 5060;
  std::optional<SipTransport> transport;
  std::string uri;  // the same as "sip:host:port[;transport=udp|tcp]": the next hop URI
  std::string route_to;  // the trunk its new requests go to; "" = by Request-URI
  // Profile files as resolved (relative to the configuration file's directory), and compiled.
  std::vector<std::string> ingress_files;
  std::vector<std::string> egress_files;
  ProfileChain ingress;  // applied to every message received from this trunk
  ProfileChain egress;   // applied to every message sent to this trunk
  SessionTimerPolicy session_timer;
};

struct ProxyConfig {
  std::string file;  // the file it was loaded from
  ListenConfig listen;
  MetricsConfig metrics;
  std::string log_level = "info";  // trace, debug, info, warn, error, off
  SipTimers timers;
  ProxyLimits limits;
  // Where requests from an unknown source go; "" = they get 403.
  std::string default_trunk;
  std::vector<TrunkConfig> trunks;  // names are unique

  const TrunkConfig* FindTrunk(std::string_view name) const;
  // The host and port that identify the proxy (advertised, else listen address).
  const std::string& self_host() const;
  uint16_t self_port() const;
};

struct ProxyConfigOptions {
  // Warnings count as errors (`smc validate --strict`), as for profiles.
  bool strict = false;
  // Compile the profiles (CompileProfileFile). Off only for a pure syntax check.
  bool compile_profiles = true;
};

struct ProxyConfigResult {
  std::shared_ptr<const ProxyConfig> config;  // null whenever diagnostics hold an error
  std::vector<Diagnostic> diagnostics;        // every problem found: config then profiles
  bool ok() const { return config != nullptr; }
};

// Reads, checks and compiles a configuration file. Profile paths are relative to the
// directory of `path`. An unreadable file is one error diagnostic.
ProxyConfigResult LoadProxyConfig(const std::string& path,
                                  const ProxyConfigOptions& options = {});

// The same from text: `file` names it in diagnostics, `base_dir` anchors relative profile
// paths ("" = the current directory).
ProxyConfigResult ParseProxyConfig(std::string_view json_text, const std::string& file,
                                   const std::string& base_dir,
                                   const ProxyConfigOptions& options = {});

// `smc validate --config FILE`: every diagnostic of LoadProxyConfig (warnings promoted
// under options.strict).
std::vector<Diagnostic> ValidateProxyConfigFile(const std::string& path,
                                                const ProxyConfigOptions& options = {});

}  // namespace smc

#endif  // SMC_PROXY_CONFIG_H_
