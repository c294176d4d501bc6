#include "proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>

#include <algorithm>
#include <cctype>
#include <cstdarg>
#include <cstdio>
#include <random>

#include "own_edits.h"
#include "proxy_edits.h"
#include "sip_text.h"
#include "trunk_profiles.h"
#include "wire_message.h"

// sofia-sip's per-module logs: exported by the library, not declared in its public headers.
extern "C" {
extern su_log_t nta_log[];
extern su_log_t tport_log[];
}

namespace smc::proxy {
namespace {

constexpr char kAllow[] =
    "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, PRACK, SUBSCRIBE, NOTIFY, REFER, MESSAGE";
constexpr char kAccept[] = "application/sdp";
constexpr char kSupported[] = "timer";
// How often the housekeeping timer runs: lingering transactions, nta's counters.
constexpr su_duration_t kTickMs = 250;
// Socket buffers for the UDP transport (the kernel caps them at net.core.rmem_max/wmem_max).
constexpr unsigned kUdpBufferBytes = 4 * 1024 * 1024;

// Drops a reference to a sofia message when it goes out of scope.
struct MsgUnref {
  void operator()(msg_t* msg) const { msg_destroy(msg); }
};
using MsgRef = std::unique_ptr<msg_t, MsgUnref>;

struct Peer {
  std::string ip;
  uint16_t port = 0;
  SipTransport transport = SipTransport::kUdp;
};

// inet_ntop's text of an IPv4 address ("127.0.0.1"), without its sprintf: this runs for
// every request.
void FormatIpv4(in_addr addr, char out[INET_ADDRSTRLEN]) {
  const uint32_t a = ntohl(addr.s_addr);
  char* p = out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const unsigned octet = (a >> shift) & 0xff;
    if (octet >= 100) *p++ = static_cast<char>('0' + octet / 100);
    if (octet >= 10) *p++ = static_cast<char>('0' + octet / 10 % 10);
    *p++ = static_cast<char>('0' + octet % 10);
    if (shift > 0) *p++ = '.';
  }
  *p = '\0';
}

Peer PeerOf(msg_t* msg) {
  Peer peer;
  su_addrinfo_t* ai = msg_addrinfo(msg);
  if (ai == nullptr || ai->ai_addr == nullptr) return peer;
  const su_sockaddr_t* su = reinterpret_cast<const su_sockaddr_t*>(ai->ai_addr);
  char buf[INET6_ADDRSTRLEN] = "";
  if (su->su_family == AF_INET) {
    FormatIpv4(su->su_sin.sin_addr, buf);
  } else if (su->su_family == AF_INET6) {
    inet_ntop(AF_INET6, &su->su_sin6.sin6_addr, buf, sizeof buf);
  }
  peer.ip = buf;
  peer.port = ntohs(su->su_port);
  peer.transport = ai->ai_protocol == IPPROTO_TCP ? SipTransport::kTcp : SipTransport::kUdp;
  return peer;
}

const TrunkCounters& CountersOf(const TrunkRuntime* trunk, ProxyMetrics* metrics) {
  return trunk ? trunk->counters : metrics->unknown_source();
}

const TrunkConfig* ConfigOf(const TrunkRuntime* trunk) {
  return trunk ? trunk->config : nullptr;
}

std::string_view NameOf(const TrunkRuntime* trunk) {
  return trunk ? std::string_view(trunk->name()) : std::string_view("-");
}

// "sip:host:port;transport=x" for nta: always an explicit transport, so that nta never
// picks one by itself (it would try TCP for a large request, RFC 3261 18.1.1).
std::string NextHopUri(std::string_view host, uint16_t port, SipTransport transport) {
  const bool v6 = host.find(':') != std::string_view::npos;
  std::string uri = "sip:";
  if (v6) uri.push_back('[');
  uri.append(host);
  if (v6) uri.push_back(']');
  uri.push_back(':');
  uri.append(std::to_string(port));
  uri.append(";transport=");
  uri.append(SipTransportName(transport));
  return uri;
}

// sofia's own levels (0..9) for the proxy's: its 1 is a fatal problem, 3 an error or a
// transport event worth a line, 5 every message, 7 and above the internals.
unsigned SofiaLevel(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace: return 7;
    case spdlog::level::debug: return 3;
    case spdlog::level::off: return 0;
    default: return 1;
  }
}

void LogFromSofia(void* stream, char const* fmt, va_list ap) {
  auto* log = static_cast<spdlog::logger*>(stream);
  char buf[1024];
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  if (n < 0) return;
  size_t len = std::min(static_cast<size_t>(n), sizeof buf - 1);
  while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r')) --len;
  if (len > 0) log->info("sofia: {}", std::string_view(buf, len));
}

// The transport a URI's parameters ask for: `fallback` when they name none; nullopt for one
// smc does not serve (tls, sctp ...).
std::optional<SipTransport> UriTransport(std::string_view params, SipTransport fallback) {
  const auto tp = FindParam(params, "transport");
  if (!tp) return fallback;
  std::string name(*tp);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (name == "udp") return SipTransport::kUdp;
  if (name == "tcp") return SipTransport::kTcp;
  return std::nullopt;
}

size_t ContentLengthIndex(const SipMessage& m) {
  const size_t i = m.FindHeader(HeaderId::kContentLength);
  return i == SipMessage::npos ? m.header_count() : i;
}

}  // namespace

Proxy::Proxy(std::string config_path, ProxyDeps deps)
    : config_path_(std::move(config_path)),
      metrics_(deps.metrics),
      log_(std::move(deps.log)),
      stage_(deps.session_timer ? deps.session_timer : &pass_through_),
      log_level_override_(std::move(deps.log_level_override)),
      overload_metrics_(*metrics_->registry()) {
  std::random_device random;
  char prefix[16];
  std::snprintf(prefix, sizeof prefix, "smc503%08x-", random());
  shed_tag_prefix_ = prefix;
}

std::unique_ptr<Proxy> Proxy::Create(std::string config_path,
                                     std::shared_ptr<const ProxyConfig> config, ProxyDeps deps,
                                     std::string* error) {
  std::unique_ptr<Proxy> p(new Proxy(std::move(config_path), std::move(deps)));
  su_log_redirect(nullptr, LogFromSofia, p->log_.get());
  su_log_redirect(nta_log, LogFromSofia, p->log_.get());
  su_log_redirect(tport_log, LogFromSofia, p->log_.get());
  p->ApplyLogLevel(*config);

  p->root_ = su_root_create(p.get());
  if (p->root_ == nullptr) {
    *error = "su_root_create failed";
    return nullptr;
  }
  const ListenConfig& listen = config->listen;
  const bool v6 = listen.address.ip.find(':') != std::string::npos;
  const std::string hostport = (v6 ? "[" + listen.address.ip + "]" : listen.address.ip) + ":" +
                               std::to_string(listen.address.port);
  std::vector<std::string> urls;
  if (listen.udp) urls.push_back("sip:" + hostport + ";transport=udp");
  if (listen.tcp) urls.push_back("sip:" + hostport + ";transport=tcp");
  const SipTimers& t = config->timers;
  p->agent_ = nta_agent_create(
      p->root_, URL_STRING_MAKE(urls.front().c_str()), &Proxy::OnStray, p.get(),
      NTATAG_UA(0), NTATAG_CANCEL_487(0), NTATAG_SERVER_RPORT(1), NTATAG_CLIENT_RPORT(1),
      NTATAG_MERGE_482(0), NTATAG_PASS_100(0), NTATAG_EXTRA_100(0), NTATAG_USE_NAPTR(0),
      NTATAG_USE_SRV(0), NTATAG_SIPFLAGS(kWireParseFlags), NTATAG_SIP_T1(t.t1_ms),
      NTATAG_SIP_T2(t.t2_ms), NTATAG_SIP_T4(t.t4_ms), NTATAG_SIP_T1X64(t.effective_t1x64_ms()),
      NTATAG_TIMER_C(t.timer_c_ms), NTATAG_MAXSIZE(config->limits.max_message_bytes),
      NTATAG_UDP_MTU(config->limits.udp_mtu), TPTAG_UDP_RMEM(kUdpBufferBytes),
      TPTAG_UDP_WMEM(kUdpBufferBytes), TAG_END());
  if (p->agent_ == nullptr) {
    *error = "cannot listen on " + urls.front() + " (address in use or not local?)";
    return nullptr;
  }
  for (size_t i = 1; i < urls.size(); ++i) {
    if (nta_agent_add_tport(p->agent_, URL_STRING_MAKE(urls[i].c_str()),
                            NTATAG_SIPFLAGS(kWireParseFlags), TAG_END()) < 0) {
      *error = "cannot listen on " + urls[i] + " (address in use or not local?)";
      return nullptr;
    }
  }
  // No default leg: requests that match no transaction come to OnStray, before nta has
  // made a transaction for them, so that a new INVITE can be shed at the least cost.
  p->overload_.Configure(config->limits);
  if (listen.udp) {
    p->probe_ = QueueProbe::Create(listen.address.ip, listen.address.port, error);
    if (!p->probe_) return nullptr;
  }
  p->tick_ = su_timer_create(su_root_task(p->root_), kTickMs);
  if (p->tick_ == nullptr || su_timer_set_for_ever(p->tick_, &Proxy::OnTick, p.get()) < 0) {
    *error = "cannot start the housekeeping timer";
    return nullptr;
  }
  if (p->probe_) {
    // Its own, faster timer: the guard must see a queue building within a few hundred
    // milliseconds, before callers' retransmissions (T1, 500 ms) double the load.
    p->probe_tick_ = su_timer_create(su_root_task(p->root_),
                                     static_cast<su_duration_t>(OverloadGuard::kTickMs));
    if (p->probe_tick_ == nullptr ||
        su_timer_set_for_ever(p->probe_tick_, &Proxy::OnProbeTick, p.get()) < 0) {
      *error = "cannot start the queue probe's timer";
      return nullptr;
    }
  }
  Proxy* raw = p.get();
  p->signals_ = SignalPipe::Create(
      p->root_, {SIGHUP, SIGTERM, SIGINT},
      [raw](int signo) {
        if (signo == SIGHUP) {
          raw->Reload();
        } else {
          raw->log_->info("signal {}: stopping", signo);
          raw->Stop();
        }
      },
      error);
  if (!p->signals_) return nullptr;
  p->loader_ = BackgroundLoader::Create(
      p->root_, [](const std::string& path) { return LoadProxyConfig(path); },
      [raw](ProxyConfigResult result, double load_ms) {
        raw->ApplyLoaded(std::move(result), load_ms);
      },
      error);
  if (!p->loader_) return nullptr;
  p->config_ = RuntimeConfig::Build(std::move(config), p->metrics_, ++p->generation_);
  for (const std::string& url : urls) p->log_->info("listening on {}", url);
  p->log_->info("configuration {} (generation {}): {} trunks", p->config_path_,
                p->generation_, p->config_->trunks().size());
  return p;
}

Proxy::~Proxy() {
  loader_.reset();  // waits for a load under way: its result is dropped
  signals_.reset();
  if (tick_ != nullptr) su_timer_destroy(tick_);
  if (probe_tick_ != nullptr) su_timer_destroy(probe_tick_);
  for (Transaction& tr : transactions_) {
    if (tr.orq != nullptr) nta_outgoing_destroy(tr.orq);
    if (tr.irq != nullptr) nta_incoming_destroy(tr.irq);
  }
  transactions_.clear();
  lingering_.clear();
  if (agent_ != nullptr) nta_agent_destroy(agent_);
  if (root_ != nullptr) su_root_destroy(root_);
  su_log_redirect(tport_log, nullptr, nullptr);
  su_log_redirect(nta_log, nullptr, nullptr);
  su_log_redirect(nullptr, nullptr, nullptr);
}

void Proxy::Run() { su_root_run(root_); }

void Proxy::Stop() { su_root_break(root_); }

void Proxy::ApplyLogLevel(const ProxyConfig& config) {
  const std::string& name = log_level_override_.empty() ? config.log_level : log_level_override_;
  const spdlog::level::level_enum level = spdlog::level::from_str(name);
  log_->set_level(level);
  const unsigned sofia = SofiaLevel(level);
  su_log_set_level(nullptr, sofia);
  su_log_set_level(nta_log, sofia);
  su_log_set_level(tport_log, sofia);
}

void Proxy::ApplyTimers(const ProxyConfig& config) {
  const SipTimers& t = config.timers;
  nta_agent_set_params(agent_, NTATAG_SIP_T1(t.t1_ms), NTATAG_SIP_T2(t.t2_ms),
                       NTATAG_SIP_T4(t.t4_ms), NTATAG_SIP_T1X64(t.effective_t1x64_ms()),
                       NTATAG_TIMER_C(t.timer_c_ms),
                       NTATAG_MAXSIZE(config.limits.max_message_bytes),
                       NTATAG_UDP_MTU(config.limits.udp_mtu), TAG_END());
}

void Proxy::Reload() {
  log_->info("reloading {}", config_path_);
  loader_->Request(config_path_);
}

void Proxy::ApplyLoaded(ProxyConfigResult result, double load_ms) {
  const auto swap_start = std::chrono::steady_clock::now();
  for (const Diagnostic& d : result.diagnostics) {
    if (d.severity == Severity::kError) {
      log_->error("{}", FormatDiagnostic(d));
    } else {
      log_->warn("{}", FormatDiagnostic(d));
    }
  }
  if (!result.ok()) {
    metrics_->reloads_failed().Increment();
    log_->error("reload failed: configuration generation {} stays in use", generation_);
    return;
  }
  const ProxyConfig& old_cfg = config_->config();
  const ProxyConfig& new_cfg = *result.config;
  if (old_cfg.listen.address.ip != new_cfg.listen.address.ip ||
      old_cfg.listen.address.port != new_cfg.listen.address.port ||
      old_cfg.listen.udp != new_cfg.listen.udp || old_cfg.listen.tcp != new_cfg.listen.tcp) {
    log_->warn("listen address or transports changed: this takes a restart; still listening "
               "on {}:{}",
               old_cfg.listen.address.ip, old_cfg.listen.address.port);
  }
  if (old_cfg.metrics.enabled != new_cfg.metrics.enabled ||
      old_cfg.metrics.address.ip != new_cfg.metrics.address.ip ||
      old_cfg.metrics.address.port != new_cfg.metrics.address.port) {
    log_->warn("metrics address changed: this takes a restart");
  }
  ApplyTimers(new_cfg);
  overload_.Configure(new_cfg.limits);
  config_ = RuntimeConfig::Build(std::move(result.config), metrics_, ++generation_);
  ApplyLogLevel(config_->config());
  metrics_->reloads_done().Increment();
  const std::chrono::duration<double, std::milli> swap_ms =
      std::chrono::steady_clock::now() - swap_start;
  log_->info("configuration generation {} in use: {} trunks (loaded in {:.1f} ms off the "
             "proxy's thread, swapped in {:.1f} ms)",
             generation_, config_->trunks().size(), load_ms, swap_ms.count());
}

// --- transactions ---------------------------------------------------------------------

Transaction* Proxy::NewTransaction() {
  transactions_.emplace_back();
  Transaction* tr = &transactions_.back();
  tr->proxy = this;
  tr->self = std::prev(transactions_.end());
  return tr;
}

void Proxy::EndSetup(Transaction* tr) {
  if (!tr->in_setup) return;
  tr->in_setup = false;
  overload_.CallEnded();
}

void Proxy::Finish(Transaction* tr) {
  EndSetup(tr);
  if (tr->orq != nullptr) nta_outgoing_destroy(tr->orq);
  if (tr->irq != nullptr) nta_incoming_destroy(tr->irq);
  transactions_.erase(tr->self);
}

void Proxy::Linger(Transaction* tr) {
  // The server transaction is done (nta absorbs retransmitted INVITEs for T4 by itself);
  // retransmitted 2xx are relayed statelessly, with this transaction's snapshot.
  nta_incoming_destroy(tr->irq);
  tr->irq = nullptr;
  tr->linger_until = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(tr->config->config().timers.effective_t1x64_ms());
  lingering_.push_back(tr);
}

void Proxy::Sweep() {
  const auto now = std::chrono::steady_clock::now();
  while (!lingering_.empty() && lingering_.front()->linger_until <= now) {
    Transaction* tr = lingering_.front();
    lingering_.pop_front();
    Finish(tr);
  }
}

void Proxy::ReadNtaStats() {
  // Requests nta refused (400, 413, 505 ...) and responses it dropped as malformed.
  usize_t bad_requests = 0;
  usize_t bad_responses = 0;
  nta_agent_get_stats(agent_, NTATAG_S_BAD_REQUEST_REF(bad_requests),
                      NTATAG_S_BAD_RESPONSE_REF(bad_responses), TAG_END());
  const uint64_t bad = bad_requests + bad_responses;
  if (bad > nta_bad_messages_) {
    metrics_->malformed_by_nta().Increment(static_cast<double>(bad - nta_bad_messages_));
    nta_bad_messages_ = bad;
  }
}

void Proxy::OnProbeTick(Proxy* self, su_timer_t*, Proxy*) {
  const auto delay = self->probe_->OnTick(std::chrono::steady_clock::now());
  if (delay) {
    self->overload_.OnDelaySample(std::chrono::duration<double, std::milli>(*delay).count());
  }
}

void Proxy::OnTick(Proxy* self, su_timer_t*, Proxy*) {
  self->overload_metrics_.Publish(self->overload_);
  self->Sweep();
  self->ReadNtaStats();
  self->RunStageDeadline();
}

void Proxy::RunStageDeadline() {
  const auto deadline = stage_->NextDeadline();
  const auto now = std::chrono::steady_clock::now();
  if (!deadline || *deadline > now) return;
  for (const OriginatedRequest& request : stage_->OnDeadline(now)) SendOriginated(request);
}

void Proxy::SendOriginated(const OriginatedRequest& request) {
  const std::shared_ptr<const RuntimeConfig> rc = config_;
  std::optional<SipMessage> m = SipMessage::Parse(request.message);
  const auto uri = ParseSipUri(request.next_hop);
  if (!m || !m->is_request() || !uri || uri->secure) {
    log_->error("the session-timer stage made a request that cannot be sent (next hop {})",
                request.next_hop);
    return;
  }
  const TrunkRuntime* trunk = rc->FindByAddress(uri->host, uri->port_or_default());
  const auto transport = UriTransport(
      uri->params, trunk ? trunk->config->transport.value_or(SipTransport::kUdp)
                         : SipTransport::kUdp);
  if (!transport) {
    log_->error("the session-timer stage's next hop {} asks for a transport smc does not serve",
                request.next_hop);
    return;
  }
  ApplyTrunkProfiles(trunk, Direction::kEgress, *m);
  msg_t* out = ToSofia(*m);
  if (out == nullptr) return;
  const std::string hop = NextHopUri(uri->host, uri->port_or_default(), *transport);
  Transaction* tr = NewTransaction();
  tr->config = rc;
  tr->to = trunk;
  tr->originated = true;
  tr->invite = m->method() == "INVITE";
  tr->orq = nta_outgoing_mcreate(agent_, &Proxy::OnResponse, tr, URL_STRING_MAKE(hop.c_str()),
                                 out, TAG_END());
  if (tr->orq == nullptr) {
    msg_destroy(out);
    Finish(tr);
    log_->error("cannot send {} to {}", m->method(), hop);
    return;
  }
  CountersOf(trunk, metrics_).sent_requests->Increment();
  log_->info("{} {} sent to trunk {} (session timer)", m->method(), m->request_uri(),
             NameOf(trunk));
}

// --- requests -------------------------------------------------------------------------

namespace {

// The ShedRecord key of an INVITE: its top Via branch and Call-ID (nta checked both exist).
std::string ShedKey(const sip_t* sip) {
  const char* branch = sip->sip_via && sip->sip_via->v_branch ? sip->sip_via->v_branch : "";
  const char* call_id = sip->sip_call_id && sip->sip_call_id->i_id ? sip->sip_call_id->i_id : "";
  return ShedRecord::Key(branch, call_id);
}

}  // namespace

void Proxy::HandleNewRequest(msg_t* msg, sip_t* sip) {
  const sip_method_t method = sip->sip_request->rq_method;
  // nta's checks passed before this callback: To, From, Call-ID, CSeq and Via are there.
  if (method == sip_method_options && probe_ && sip->sip_call_id &&
      probe_->Recognise(sip->sip_call_id->i_id, std::chrono::steady_clock::now())) {
    msg_destroy(msg);
    return;
  }
  const char* to_tag = sip->sip_to ? sip->sip_to->a_tag : nullptr;
  if (method == sip_method_invite && to_tag == nullptr) {
    const auto now = std::chrono::steady_clock::now();
    std::string key;  // built once, and only while something is shed
    if (!shed_record_.empty()) {
      key = ShedKey(sip);
      if (const std::optional<ShedRecord::Answer> answer = shed_record_.Find(key, now)) {
        // A retransmission of an INVITE shed before. It waited about the queueing delay in
        // the socket, so when our last 503 went out less than that ago (or less than T1,
        // the caller's first retransmission interval), the caller sent it before that 503
        // could reach it: it needs no answer, and answering every copy is what made a
        // backlog of retransmissions (and the ACKs to their 503s) grow until the proxy did
        // nothing but shed. A 503 that was lost is answered at the caller's next
        // retransmission, which comes later than that.
        const double wait_ms = std::max({static_cast<double>(config_->config().timers.t1_ms),
                                         overload_.delay_ms(), overload_.last_delay_ms()});
        if (now - answer->last_sent <
            std::chrono::duration<double, std::milli>(wait_ms)) {
          overload_metrics_.CountRetransmissionAbsorbed();
          msg_destroy(msg);
          return;
        }
        shed_record_.Resent(key, now);
        Shed(msg, sip, answer->to_tag);
        return;
      }
    }
    const Admission admission = overload_.AdmitNewCall();
    if (admission != Admission::kAdmit) {
      overload_metrics_.CountShed(admission);
      std::string tag = shed_tag_prefix_ + std::to_string(++shed_tags_);
      if (key.empty()) key = ShedKey(sip);
      // A caller retransmits an INVITE for 64*T1 at most (Timer B).
      shed_record_.Remember(std::move(key), tag, now,
                            std::chrono::milliseconds(
                                config_->config().timers.effective_t1x64_ms()));
      Shed(msg, sip, tag);
      return;
    }
  } else if (method == sip_method_ack && to_tag != nullptr &&
             std::string_view(to_tag).substr(0, shed_tag_prefix_.size()) == shed_tag_prefix_) {
    msg_destroy(msg);  // the ACK to a shed 503: nothing follows it
    return;
  }
  nta_incoming_t* irq = nta_incoming_create(agent_, nullptr, msg, sip, TAG_END());
  if (irq == nullptr) {  // nta has destroyed msg
    log_->error("{}: cannot create a server transaction", sip->sip_request->rq_method_name);
    return;
  }
  HandleRequest(irq, sip);
}

void Proxy::Shed(msg_t* msg, sip_t* sip, const std::string& tag) {
  metrics_->CountLocalReply(503);
  // Our own To tag, so that the ACK is recognised without any state.
  su_home_t home[1] = {SU_HOME_INIT(home)};
  sip_to_t* to = sip_to_dup(home, sip->sip_to);
  char retry_after[16];
  std::snprintf(retry_after, sizeof retry_after, "%u",
                config_->config().limits.retry_after_s);
  if (to != nullptr) sip_to_tag(home, to, tag.c_str());
  nta_msg_treply(agent_, msg, 503, "Service Unavailable", TAG_IF(to != nullptr, SIPTAG_TO(to)),
                 SIPTAG_RETRY_AFTER_STR(retry_after), TAG_END());
  su_home_deinit(home);
}

int Proxy::HandleRequest(nta_incoming_t* irq, const sip_t* sip) {
  // The snapshot this request (and its transaction) uses, whatever reloads happen later.
  const std::shared_ptr<const RuntimeConfig> rc = config_;
  const sip_method_t method = sip->sip_request->rq_method;
  const bool is_ack = method == sip_method_ack;

  msg_t* msg = nta_incoming_getrequest(irq);
  const Peer peer = PeerOf(msg);
  std::string bytes;
  const bool encoded = MsgWireBytes(msg, &bytes);
  msg_destroy(msg);

  const TrunkRuntime* from = rc->FindBySource(peer.ip, peer.port);
  CountersOf(from, metrics_).received_requests->Increment();
  log_->debug("{} from {}:{} ({}) trunk {}", sip->sip_request->rq_method_name, peer.ip,
              peer.port, SipTransportName(peer.transport), NameOf(from));

  if (from == nullptr && rc->default_trunk() == nullptr) {
    log_->info("{} from {}:{}: unknown source, refused", sip->sip_request->rq_method_name,
               peer.ip, peer.port);
    if (!is_ack) ReplyLocally(irq, nullptr, 403, "Forbidden");
    nta_incoming_destroy(irq);
    return 0;
  }

  std::string error;
  std::optional<SipMessage> parsed;
  if (encoded) parsed = SipMessage::Parse(bytes, &error);
  if (!parsed) {
    metrics_->malformed_by_engine().Increment();
    log_->warn("{} from {}:{}: cannot read it: {}", sip->sip_request->rq_method_name, peer.ip,
               peer.port, encoded ? error : "cannot encode");
    if (!is_ack) ReplyLocally(irq, from, 400, "Bad Request");
    nta_incoming_destroy(irq);
    return 0;
  }
  if (!IsValidRequestUri(parsed->request_uri())) {
    // sofia takes any token for a Request-URI; a next hop would have to refuse it.
    metrics_->malformed_by_engine().Increment();
    log_->info("{} from {}:{}: Request-URI {} is no URI", sip->sip_request->rq_method_name,
               peer.ip, peer.port, parsed->request_uri());
    if (!is_ack) ReplyLocally(irq, from, 400, "Bad Request-URI");
    nta_incoming_destroy(irq);
    return 0;
  }
  if (method == sip_method_cancel) {
    // A CANCEL nta matched to a transaction goes to OnCancel; this one matches none.
    ReplyLocally(irq, from, 481, "Call/Transaction Does Not Exist");
    nta_incoming_destroy(irq);
    return 0;
  }
  Forward(rc, irq, sip, from, peer.transport, *parsed);
  return 0;
}

void Proxy::Forward(const std::shared_ptr<const RuntimeConfig>& rc, nta_incoming_t* irq,
                    const sip_t* sip, const TrunkRuntime* from, SipTransport in_transport,
                    SipMessage& m) {
  const sip_method_t method = sip->sip_request->rq_method;
  const bool is_ack = method == sip_method_ack;
  const bool initial = sip->sip_to == nullptr || sip->sip_to->a_tag == nullptr;
  // `seen`: the stage saw the request, so it sees this final answer too.
  const auto finish_with = [&](int status, const char* reason, const HeaderList& extra,
                               const StageContext* seen = nullptr) {
    if (!is_ack) ReplyLocally(irq, from, status, reason, extra, seen);
    nta_incoming_destroy(irq);
  };

  // What the proxy itself changes, so that an unchanged message can be sent as received.
  OwnEdits own;
  own.routes_removed = PopOwnRoutes(
      m, [&rc](std::string_view host, uint16_t port) { return rc->IsSelf(host, port); });

  if (method == sip_method_options) {
    const auto ruri = ParseSipUri(m.request_uri());
    if (ruri && ruri->user.empty() && rc->IsSelf(ruri->host, ruri->port_or_default()) &&
        !TopRouteUri(m)) {
      finish_with(200, "OK", {{"Allow", kAllow}, {"Accept", kAccept}, {"Supported", kSupported}});
      return;
    }
  }

  switch (DecrementMaxForwards(m)) {
    case MaxForwardsResult::kExhausted:
      log_->info("{} {}: Max-Forwards 0", m.method(), m.request_uri());
      finish_with(483, "Too Many Hops", {});
      return;
    case MaxForwardsResult::kMalformed:
      metrics_->malformed_by_engine().Increment();
      finish_with(400, "Bad Max-Forwards", {});
      return;
    case MaxForwardsResult::kDecremented:
      own.max_forwards = true;
      break;
    case MaxForwardsResult::kInserted:
      break;
  }

  bool rewritten = ApplyTrunkProfiles(from, Direction::kIngress, m);

  int status = 0;
  const char* reason = nullptr;
  const std::optional<NextHop> hop = Route(*rc, from, initial, m, &status, &reason);
  if (!hop) {
    log_->info("{} {} from trunk {}: {} {}", m.method(), m.request_uri(), NameOf(from), status,
               reason);
    finish_with(status, reason, {});
    return;
  }

  const StageContext context{ConfigOf(from), ConfigOf(hop->trunk), initial};
  StageVerdict verdict = stage_->OnRequest(m, context);
  if (verdict.reply_status >= 300 && verdict.reply_status <= 699 && !is_ack) {
    ReplyLocally(irq, from, verdict.reply_status,
                 verdict.reason.empty() ? nullptr : verdict.reason.c_str(),
                 verdict.reply_headers);
    nta_incoming_destroy(irq);
    return;
  }

  rewritten |= ApplyTrunkProfiles(hop->trunk, Direction::kEgress, m);

  // The proxy's own Record-Route goes on last: profiles neither see nor touch it.
  if (initial && CreatesDialog(m.method())) {
    own.record_route_first = &rc->record_route(hop->transport);
    if (hop->transport != in_transport) {
      // Changing transports: record-route twice, one entry for each side (RFC 3261 16.6).
      own.record_route_second = &rc->record_route(in_transport);
    }
    AddRecordRoute(m, *own.record_route_first,
                   own.record_route_second ? *own.record_route_second : std::string_view());
  }
  stage_->OnForwarded(m, context);

  const StageContext answered{nullptr, ConfigOf(from), initial};
  // The stage's edits are not reported: ToSofia() finds them, as bytes that differ.
  const MsgRef received(nta_incoming_getrequest(irq));
  // A copy of the received message keeps that message alive as long as the copy: worth it
  // only for what nta lets go soon. An INVITE client transaction over UDP keeps its request
  // 32 s (Timer D), so an INVITE goes out as the engine's bytes parsed anew, which costs
  // instructions but not a second message (massif: +25 % heap with the copy,
  // docs/performance.md).
  const bool kept_long = m.method() == "INVITE" && hop->transport == SipTransport::kUdp;
  msg_t* out = ToSofia(m, received.get(), rewritten || kept_long ? nullptr : &own);
  if (out == nullptr) {
    finish_with(500, "Rewrite Produced an Invalid Message", {}, &answered);
    return;
  }
  const TrunkCounters& to_counters = CountersOf(hop->trunk, metrics_);
  if (is_ack) {
    // An ACK to a 2xx is a transaction of its own, end to end: forwarded statelessly.
    if (nta_msg_tsend(agent_, out, URL_STRING_MAKE(hop->uri.c_str()), TAG_END()) == 0) {
      to_counters.sent_requests->Increment();
    }
    nta_incoming_destroy(irq);
    return;
  }

  Transaction* tr = NewTransaction();
  tr->config = rc;
  tr->irq = irq;
  tr->from = from;
  tr->to = hop->trunk;
  tr->initial = initial;
  tr->invite = method == sip_method_invite;
  if (tr->invite) {
    nta_incoming_bind(irq, &Proxy::OnCancel, tr);
    ReplyLocally(irq, from, 100, "Trying");
  }
  tr->orq = nta_outgoing_mcreate(agent_, &Proxy::OnResponse, tr,
                                 URL_STRING_MAKE(hop->uri.c_str()), out, TAG_END());
  if (tr->orq == nullptr) {
    msg_destroy(out);
    log_->error("{} {}: cannot send to {}", m.method(), m.request_uri(), hop->uri);
    nta_incoming_bind(irq, nullptr, nullptr);
    tr->irq = nullptr;
    Finish(tr);
    finish_with(500, "Cannot Forward", {}, &answered);
    return;
  }
  to_counters.sent_requests->Increment();
  if (tr->invite && initial) {
    tr->in_setup = true;
    overload_.CallStarted();
  }
  log_->debug("{} {} forwarded to {} (trunk {})", m.method(), m.request_uri(), hop->uri,
              NameOf(hop->trunk));
}

std::optional<Proxy::NextHop> Proxy::Route(const RuntimeConfig& rc, const TrunkRuntime* from,
                                           bool initial, const SipMessage& m, int* status,
                                           const char** reason) const {
  NextHop hop;
  const std::optional<std::string> route = TopRouteUri(m);
  if (!route && initial) {
    // A new request: where the configuration sends its trunk's traffic.
    const TrunkRuntime* to = nullptr;
    if (from == nullptr) {
      to = rc.default_trunk();
    } else if (from->route_to != nullptr) {
      to = from->route_to;
    } else if (const auto ruri = ParseSipUri(m.request_uri())) {
      to = rc.FindByAddress(ruri->host, ruri->port_or_default());
    }
    if (to == nullptr) {
      *status = 404;
      *reason = "No Route to Destination";
      return std::nullopt;
    }
    hop.trunk = to;
    hop.transport = to->config->transport.value_or(SipTransport::kUdp);
    hop.uri = NextHopUri(to->config->host, to->config->port, hop.transport);
    return hop;
  }
  // Loose routing: the next Route entry, else the Request-URI (the remote target).
  const std::string target = route ? *route : std::string(m.request_uri());
  const auto uri = ParseSipUri(target);
  if (!uri || uri->secure) {
    *status = 416;
    *reason = "Unsupported URI Scheme";
    return std::nullopt;
  }
  if (rc.IsSelf(uri->host, uri->port_or_default())) {
    // Sending it on would bring it straight back, Max-Forwards times over.
    *status = 482;
    *reason = "Loop Detected";
    return std::nullopt;
  }
  hop.trunk = rc.FindByAddress(uri->host, uri->port_or_default());
  const auto transport = UriTransport(
      uri->params, hop.trunk ? hop.trunk->config->transport.value_or(SipTransport::kUdp)
                             : SipTransport::kUdp);
  if (!transport) {
    *status = 416;
    *reason = "Unsupported Transport";
    return std::nullopt;
  }
  hop.transport = *transport;
  hop.uri = NextHopUri(uri->host, uri->port_or_default(), hop.transport);
  return hop;
}

// --- responses ------------------------------------------------------------------------

int Proxy::OnResponse(Transaction* tr, nta_outgoing_t* orq, const sip_t* sip) {
  return tr->proxy->HandleResponse(tr, orq, sip);
}

int Proxy::HandleResponse(Transaction* tr, nta_outgoing_t* orq, const sip_t* sip) {
  if (tr->originated) {
    // The answer to the proxy's own request: nobody to relay it to.
    const int status = sip ? sip->sip_status->st_status : nta_outgoing_status(orq);
    if (sip != nullptr && !nta_sip_is_internal(sip)) {
      CountersOf(tr->to, metrics_).received_responses->Increment();
    }
    if (status >= 200 || sip == nullptr) {
      log_->info("{} to trunk {}: {}", tr->invite ? "INVITE" : "request", NameOf(tr->to),
                 status);
      Finish(tr);
    }
    return 0;
  }
  if (tr->irq == nullptr) {
    // Lingering after a 2xx: a retransmission of it, or a 2xx from another fork.
    if (sip != nullptr && !nta_sip_is_internal(sip) && sip->sip_status->st_status >= 200 &&
        sip->sip_status->st_status < 300) {
      CountersOf(tr->to, metrics_).received_responses->Increment();
      RelayStateless(tr->to, tr->from, nta_outgoing_getresponse(orq));
    }
    return 0;
  }
  if (sip == nullptr || nta_sip_is_internal(sip)) {
    // nta's own verdict on the client transaction: a timeout (408) or a transport error.
    int status = sip ? sip->sip_status->st_status : nta_outgoing_status(orq);
    if (status < 300 || status > 699) status = 500;
    log_->info("{} transaction to trunk {}: {} from nta", tr->invite ? "INVITE" : "non-INVITE",
               NameOf(tr->to), status);
    if (tr->irq != nullptr && tr->status < 200) {
      const StageContext context{nullptr, ConfigOf(tr->from), tr->initial};
      ReplyLocally(tr->irq, tr->from, status, sip ? sip->sip_status->st_phrase : nullptr, {},
                   &context);
    }
    Finish(tr);
    return 0;
  }
  const int status = sip->sip_status->st_status;
  CountersOf(tr->to, metrics_).received_responses->Increment();
  RelayResponse(tr, nta_outgoing_getresponse(orq), status);
  if (status < 200) {
    if (status > tr->status) tr->status = status;
    return 0;
  }
  tr->status = status;
  EndSetup(tr);
  if (tr->invite && status < 300) {
    Linger(tr);
  } else {
    Finish(tr);
  }
  return 0;
}

void Proxy::RelayResponse(Transaction* tr, msg_t* response_msg, int status) {
  const MsgRef response(response_msg);
  std::string bytes;
  const bool encoded = MsgWireBytes(response.get(), &bytes);
  std::string error;
  std::optional<SipMessage> parsed;
  if (encoded) parsed = SipMessage::Parse(bytes, &error);
  if (!parsed) {
    metrics_->malformed_by_engine().Increment();
    log_->warn("{} response from trunk {}: cannot read it: {}", status, NameOf(tr->to),
               encoded ? error : "cannot encode");
    if (status >= 200) {
      const StageContext context{nullptr, ConfigOf(tr->from), tr->initial};
      ReplyLocally(tr->irq, tr->from, 502, "Bad Gateway", {}, &context);
    }
    return;
  }
  SipMessage& m = *parsed;
  OwnEdits own;
  own.top_via_removed = PopTopVia(m);
  bool rewritten = ApplyTrunkProfiles(tr->to, Direction::kIngress, m);
  const StageContext context{ConfigOf(tr->to), ConfigOf(tr->from), tr->initial};
  stage_->OnResponse(m, context);
  rewritten |= ApplyTrunkProfiles(tr->from, Direction::kEgress, m);
  stage_->OnForwarded(m, context);
  // A final response to a non-INVITE stays with its server transaction for Timer J (64*T1
  // over UDP): sent as the engine's bytes, not as a copy that keeps the received one alive
  // with it (see Forward).
  const bool kept_long = status >= 200 && m.transaction_method() != "INVITE";
  msg_t* out = ToSofia(m, response.get(), rewritten || kept_long ? nullptr : &own);
  if (out == nullptr) {
    // Relay it without the profiles' edits rather than lose a response (a lost 2xx would
    // leave a call half set up).
    std::optional<SipMessage> plain = SipMessage::Parse(bytes);
    if (plain) {
      PopTopVia(*plain);
      out = MsgFromWireBytes(plain->Serialize());
    }
    if (out == nullptr) {
      if (status >= 200) ReplyLocally(tr->irq, tr->from, 502, "Bad Gateway", {}, &context);
      return;
    }
  }
  if (nta_incoming_mreply(tr->irq, out) == 0) {
    CountersOf(tr->from, metrics_).sent_responses->Increment();
  }
}

void Proxy::RelayStateless(const TrunkRuntime* sender, const TrunkRuntime* receiver,
                           msg_t* response_msg) {
  const MsgRef response(response_msg);
  std::string bytes;
  const bool encoded = MsgWireBytes(response.get(), &bytes);
  std::optional<SipMessage> parsed;
  if (encoded) parsed = SipMessage::Parse(bytes);
  if (!parsed) {
    metrics_->malformed_by_engine().Increment();
    return;
  }
  SipMessage& m = *parsed;
  // The proxy's Via stays on top here: nta_msg_tsend() removes it and sends by the next.
  bool rewritten = ApplyTrunkProfiles(sender, Direction::kIngress, m);
  const StageContext context{ConfigOf(sender), ConfigOf(receiver), true};
  stage_->OnResponse(m, context);
  rewritten |= ApplyTrunkProfiles(receiver, Direction::kEgress, m);
  SipMessage as_sent = m;
  PopTopVia(as_sent);
  stage_->OnForwarded(as_sent, context);
  const OwnEdits none;
  msg_t* out = ToSofia(m, response.get(), rewritten ? nullptr : &none);
  if (out == nullptr) out = MsgFromWireBytes(bytes);
  if (out == nullptr) return;
  if (nta_msg_tsend(agent_, out, nullptr, TAG_END()) == 0) {
    CountersOf(receiver, metrics_).sent_responses->Increment();
  }
}

int Proxy::OnCancel(Transaction* tr, nta_incoming_t* irq, const sip_t* sip) {
  tr->proxy->HandleCancel(tr, irq, sip);
  return 0;
}

void Proxy::HandleCancel(Transaction* tr, nta_incoming_t* irq, const sip_t* sip) {
  if (sip == nullptr) {
    // nta gave up on the server transaction (no ACK to a final response): forget it.
    nta_incoming_destroy(irq);
    tr->irq = nullptr;
    if (tr->status >= 200 || tr->orq == nullptr) Finish(tr);
    return;
  }
  // nta has answered the CANCEL with 200; cancel the forwarded INVITE downstream, whose
  // 487 then comes back through OnResponse.
  CountersOf(tr->from, metrics_).received_requests->Increment();
  if (tr->orq != nullptr && tr->status < 200 &&
      nta_outgoing_tcancel(tr->orq, nullptr, nullptr, TAG_END()) != nullptr) {
    CountersOf(tr->to, metrics_).sent_requests->Increment();
  }
}

int Proxy::OnStray(Proxy* self, nta_agent_t*, msg_t* msg, sip_t* sip) {
  self->HandleStray(msg, sip);
  return 0;
}

void Proxy::HandleStray(msg_t* msg, sip_t* sip) {
  if (sip != nullptr && sip->sip_request != nullptr) {
    HandleNewRequest(msg, sip);
    return;
  }
  // Only a 2xx to an INVITE whose client transaction is gone is proxied without one (RFC
  // 3261 16.7: the UAS retransmits it until the ACK); and only when it is ours to relay.
  const bool relay = sip != nullptr && sip->sip_status != nullptr && sip->sip_cseq != nullptr &&
                     sip->sip_cseq->cs_method == sip_method_invite &&
                     sip->sip_status->st_status >= 200 && sip->sip_status->st_status < 300 &&
                     sip->sip_via != nullptr && sip->sip_via->v_next != nullptr;
  const std::shared_ptr<const RuntimeConfig> rc = config_;
  if (!relay) {
    msg_destroy(msg);
    return;
  }
  const sip_via_t* ours = sip->sip_via;
  uint16_t port = 5060;
  if (ours->v_port != nullptr) port = static_cast<uint16_t>(atoi(ours->v_port));
  if (ours->v_host == nullptr || !rc->IsSelf(ours->v_host, port)) {
    msg_destroy(msg);
    return;
  }
  const Peer peer = PeerOf(msg);
  const TrunkRuntime* sender = rc->FindBySource(peer.ip, peer.port);
  CountersOf(sender, metrics_).received_responses->Increment();
  const sip_via_t* next = ours->v_next;
  uint16_t next_port = 5060;
  if (next->v_port != nullptr) next_port = static_cast<uint16_t>(atoi(next->v_port));
  const TrunkRuntime* receiver =
      next->v_host ? rc->FindByAddress(next->v_host, next_port) : nullptr;
  RelayStateless(sender, receiver, msg);
}

// --- local replies --------------------------------------------------------------------

void Proxy::ReplyLocally(nta_incoming_t* irq, const TrunkRuntime* receiver, int status,
                         const char* reason, const HeaderList& extra,
                         const StageContext* forwarded) {
  if (status >= 300) metrics_->CountLocalReply(status);
  CountersOf(receiver, metrics_).sent_responses->Increment();
  const bool rewrite = !extra.empty() || forwarded != nullptr ||
                       (receiver && !receiver->config->egress.empty());
  if (!rewrite) {
    nta_incoming_treply(irq, status, reason, TAG_END());
    return;
  }
  const MsgRef msg(nta_msg_create(agent_, 0));
  std::string bytes;
  const bool built =
      msg != nullptr &&
      nta_incoming_complete_response(irq, msg.get(), status, reason, TAG_END()) >= 0 &&
      MsgWireBytes(msg.get(), &bytes);
  std::optional<SipMessage> m;
  if (built) m = SipMessage::Parse(bytes);
  msg_t* out = nullptr;
  if (m) {
    for (const auto& [name, value] : extra) {
      m->InsertHeader(ContentLengthIndex(*m), name, value);
    }
    if (forwarded != nullptr) stage_->OnResponse(*m, *forwarded);
    const bool rewritten =
        ApplyTrunkProfiles(receiver, Direction::kEgress, *m) || !extra.empty();
    // Unchanged (a 100 Trying no egress rule touched, say): nta's own response is sent.
    const OwnEdits none;
    out = ToSofia(*m, msg.get(), rewritten ? nullptr : &none);
  }
  if (out == nullptr) {
    nta_incoming_treply(irq, status, reason, TAG_END());
    return;
  }
  nta_incoming_mreply(irq, out);
}

msg_t* Proxy::ToSofia(const SipMessage& m, msg_t* received, const OwnEdits* edits) {
  const std::string bytes = m.Serialize();
  if (edits != nullptr && received != nullptr) {
    if (msg_t* out = WithOwnEdits(received, *edits, m, bytes)) return out;
  }
  msg_t* out = MsgFromWireBytes(bytes);
  if (out == nullptr) {
    metrics_->rewrite_unparseable().Increment();
    log_->error("a rewritten {} is not a message sofia-sip can parse; start line: {}",
                m.is_request() ? "request" : "response", m.start_line());
  }
  return out;
}

}  // namespace smc::proxy
