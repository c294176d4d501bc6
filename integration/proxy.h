// smc-proxy: a transaction-stateful SIP proxy on sofia-sip's nta layer that applies each
// trunk's SMC profiles inline.
//
// Everything runs on one su_root thread: nta's callbacks, the signal pipe (SIGHUP reloads,
// SIGTERM/SIGINT stop) and a housekeeping timer. Each message is converted once from sofia
// to the engine's SipMessage, carries the proxy's own edits and the profiles' edits there,
// and is converted back once (see wire_message.h).
#ifndef SMC_INTEGRATION_PROXY_H_
#define SMC_INTEGRATION_PROXY_H_

#include <spdlog/logger.h>

#include <chrono>
#include <deque>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "background_loader.h"
#include "overload_guard.h"
#include "own_edits.h"
#include "overload_metrics.h"
#include "proxy_metrics.h"
#include "queue_probe.h"
#include "runtime_config.h"
#include "session_timer_stage.h"
#include "shed_record.h"
#include "signal_pipe.h"
#include "smc/proxy_config.h"
#include "smc/sip_message.h"
#include "sofia.h"

namespace smc::proxy {

// One request forwarded statefully: the server transaction it arrived on, the client
// transaction it left on, and the configuration snapshot every message of both uses.
struct Transaction {
  Proxy* proxy = nullptr;
  std::shared_ptr<const RuntimeConfig> config;
  nta_incoming_t* irq = nullptr;  // null once answered with a 2xx (INVITE) or finished
  nta_outgoing_t* orq = nullptr;
  const TrunkRuntime* from = nullptr;  // the request's sender; null: an unknown source
  const TrunkRuntime* to = nullptr;    // where it went; null: a next hop that is no trunk
  bool initial = false;                // no To tag
  bool invite = false;
  bool originated = false;             // the proxy's own request (a session-timer BYE)
  bool in_setup = false;               // an initial INVITE not yet finally answered
  int status = 0;                      // the best response relayed so far
  // After a 2xx to an INVITE the transaction stays a while, so that retransmitted 2xx are
  // relayed with the same snapshot.
  std::chrono::steady_clock::time_point linger_until;
  std::list<Transaction>::iterator self;
};

struct ProxyDeps {
  ProxyMetrics* metrics = nullptr;          // required
  std::shared_ptr<spdlog::logger> log;      // required
  SessionTimerStage* session_timer = nullptr;  // null: a stage that does nothing
  // A log level that wins over the configuration's (--log-level); "" follows the file.
  std::string log_level_override;
};

class Proxy {
 public:
  // Binds the transports of `config` (loaded from `config_path`, which reloads read again)
  // and installs the signal handlers. nullptr and *error when a transport cannot be bound.
  static std::unique_ptr<Proxy> Create(std::string config_path,
                                       std::shared_ptr<const ProxyConfig> config,
                                       ProxyDeps deps, std::string* error);
  ~Proxy();
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  // Serves until SIGTERM or SIGINT (or Stop()).
  void Run();
  void Stop();
  // Loads and compiles the configuration file again, on a worker thread (see
  // background_loader.h): the proxy keeps serving with the running snapshot meanwhile.
  // The result is applied on the proxy's thread: on any error the running snapshot stays,
  // every diagnostic is logged and a failed reload counted; on success the new snapshot is
  // swapped in (transactions under way keep theirs).
  void Reload();
 private:
  struct NextHop {
    std::string uri;  // what nta sends to: "sip:host:port;transport=..."
    const TrunkRuntime* trunk = nullptr;
    SipTransport transport = SipTransport::kUdp;
  };
  using HeaderList = std::vector<std::pair<std::string, std::string>>;

  Proxy(std::string config_path, ProxyDeps deps);

  // sofia callbacks
  static int OnResponse(Transaction* tr, nta_outgoing_t* orq, const sip_t* sip);
  static int OnCancel(Transaction* tr, nta_incoming_t* irq, const sip_t* sip);
  static int OnStray(Proxy* self, nta_agent_t* agent, msg_t* msg, sip_t* sip);
  static void OnTick(Proxy* self, su_timer_t* timer, Proxy* arg);
  static void OnProbeTick(Proxy* self, su_timer_t* timer, Proxy* arg);

  // A request that matches no transaction: the queue probe, shed (a new INVITE while
  // overloaded), absorbed (the ACK to a shed 503), or given a server transaction and handled.
  void HandleNewRequest(msg_t* msg, sip_t* sip);
  // Answers a new INVITE 503 with Retry-After and To tag `tag`, statelessly (no
  // transaction, no profiles). Counting it and remembering it in shed_record_ is the
  // caller's: a retransmission gets the first answer's tag and is not counted again.
  void Shed(msg_t* msg, sip_t* sip, const std::string& tag);
  int HandleRequest(nta_incoming_t* irq, const sip_t* sip);
  void Forward(const std::shared_ptr<const RuntimeConfig>& rc, nta_incoming_t* irq,
               const sip_t* sip, const TrunkRuntime* from, SipTransport in_transport,
               SipMessage& m);
  int HandleResponse(Transaction* tr, nta_outgoing_t* orq, const sip_t* sip);
  void HandleCancel(Transaction* tr, nta_incoming_t* irq, const sip_t* sip);
  void HandleStray(msg_t* msg, sip_t* sip);

  // Where a request goes: its route set, else (a new request) its trunk's route_to, else
  // the trunk its Request-URI names. nullopt with *status and *reason when nowhere.
  std::optional<NextHop> Route(const RuntimeConfig& rc, const TrunkRuntime* from,
                               bool initial, const SipMessage& m, int* status,
                               const char** reason) const;

  // Answers `irq` itself; the response goes through the egress profiles of `receiver`.
  // `forwarded`: the request had been forwarded (the stage sees this final answer).
  void ReplyLocally(nta_incoming_t* irq, const TrunkRuntime* receiver, int status,
                    const char* reason, const HeaderList& extra = {},
                    const StageContext* forwarded = nullptr);
  // Relays a response on its server transaction (statefully).
  void RelayResponse(Transaction* tr, msg_t* response, int status);
  // Relays a 2xx to an INVITE with no server transaction left, by its Via.
  void RelayStateless(const TrunkRuntime* sender, const TrunkRuntime* receiver,
                      msg_t* response);
  // The engine -> sofia step: `received` (the message `m` was read from) with the proxy's
  // own `edits` made through sofia when that gives exactly m's bytes (see own_edits.h), else
  // m's bytes parsed into a new message. `edits` null: the profiles changed `m`, so it is
  // parsed. Counts and logs a rewrite sofia cannot parse.
  msg_t* ToSofia(const SipMessage& m, msg_t* received = nullptr,
                 const OwnEdits* edits = nullptr);
  // Sends a request the session-timer stage originated.
  void SendOriginated(const OriginatedRequest& request);
  void RunStageDeadline();

  // The su_root side of Reload(): applies what the loader read (`load_ms` off this thread).
  void ApplyLoaded(ProxyConfigResult result, double load_ms);

  Transaction* NewTransaction();
  void Finish(Transaction* tr);  // destroys both transactions and forgets `tr`
  void EndSetup(Transaction* tr);  // its call is no longer in setup
  void Linger(Transaction* tr);
  void Sweep();
  void ReadNtaStats();
  void ApplyTimers(const ProxyConfig& config);
  void ApplyLogLevel(const ProxyConfig& config);

  std::string config_path_;
  ProxyMetrics* metrics_;
  std::shared_ptr<spdlog::logger> log_;
  PassThroughSessionTimerStage pass_through_;
  SessionTimerStage* stage_;
  std::string log_level_override_;

  std::shared_ptr<const RuntimeConfig> config_;
  uint64_t generation_ = 0;

  su_root_t* root_ = nullptr;
  nta_agent_t* agent_ = nullptr;
  su_timer_t* tick_ = nullptr;        // housekeeping, every kTickMs
  su_timer_t* probe_tick_ = nullptr;  // the queue probe and the guard, every OverloadGuard::kTickMs
  std::unique_ptr<SignalPipe> signals_;
  std::unique_ptr<BackgroundLoader> loader_;

  std::list<Transaction> transactions_;
  std::deque<Transaction*> lingering_;  // in linger_until order (the delay is constant)
  uint64_t nta_bad_messages_ = 0;

  OverloadGuard overload_;
  OverloadMetrics overload_metrics_;
  std::unique_ptr<QueueProbe> probe_;  // null without a UDP transport
  // The To tags of shed 503s start with it (random per process), so that their ACKs are
  // recognised and absorbed.
  std::string shed_tag_prefix_;
  uint64_t shed_tags_ = 0;
  ShedRecord shed_record_;  // so that a shed INVITE's retransmissions are shed alike
};

}  // namespace smc::proxy

#endif  // SMC_INTEGRATION_PROXY_H_
