// The session-timer seam, with the proxy running in this process on the loopback: the
// stage sees each message where the pipeline promises, its verdict answers a request, and
// the requests it originates are sent. The trunks are plain UDP sockets of the test.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spdlog/sinks/null_sink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "proxy.h"

namespace smc::proxy {
namespace {

// Records what the proxy hands it (on the proxy's thread; read after the proxy stopped).
class RecordingStage final : public SessionTimerStage {
 public:
  StageVerdict OnRequest(SipMessage& request, const StageContext& context) override {
    requests.push_back(std::string(request.method()) + " " + Name(context.sender) + "->" +
                       Name(context.receiver));
    StageVerdict verdict;
    if (request.FindHeader("X-Reject") != SipMessage::npos) {
      verdict.reply_status = 422;
      verdict.reason = "Session Interval Too Small";
      verdict.reply_headers = {{"Min-SE", "1800"}};
    }
    return verdict;
  }
  void OnResponse(SipMessage& response, const StageContext& context) override {
    responses.push_back(std::to_string(response.status_code()) + " " + Name(context.sender) +
                        "->" + Name(context.receiver));
    response.InsertHeader(response.header_count(), "X-Stage", "seen");
  }
  void OnForwarded(const SipMessage& as_sent, const StageContext&) override {
    forwarded.push_back(as_sent.Serialize());
  }
  std::optional<TimePoint> NextDeadline() const override {
    if (!expire_now) return std::nullopt;
    return std::chrono::steady_clock::now();
  }
  std::vector<OriginatedRequest> OnDeadline(TimePoint) override {
    expire_now = false;
    return {OriginatedRequest{bye, bye_next_hop}};
  }

  static std::string Name(const TrunkConfig* trunk) { return trunk ? trunk->name : "-"; }

  std::vector<std::string> requests;
  std::vector<std::string> responses;
  std::vector<std::string> forwarded;
  std::atomic<bool> expire_now{false};  // set by the test's thread
  std::string bye;
  std::string bye_next_hop;
};

class UdpPeer {
 public:
  UdpPeer() {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    timeval tv{2, 0};  // every wait for a message is bounded
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~UdpPeer() { close(fd_); }
  uint16_t port() const { return port_; }

  void SendTo(uint16_t port, const std::string& text) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    sendto(fd_, text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  // The next message whose first line starts with `prefix` ("" when none came in time).
  std::string Receive(const std::string& prefix) {
    char buf[65536];
    for (int i = 0; i < 20; ++i) {
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return "";
      std::string msg(buf, static_cast<size_t>(n));
      if (msg.rfind(prefix, 0) == 0) return msg;
    }
    return "";
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

uint16_t FreePort() {
  UdpPeer probe;  // closed at once: the proxy binds the port right after
  return probe.port();
}

std::string Invite(uint16_t proxy, uint16_t from_port, const std::string& call_id,
                   const std::string& extra) {
  return "INVITE sip:bob@127.0.0.1:" + std::to_string(proxy) + " SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 127.0.0.1:" + std::to_string(from_port) +
         ";branch=z9hG4bK-" + call_id + "\r\n"
         "Max-Forwards: 70\r\n"
         "From: <sip:alice@127.0.0.1>;tag=a1\r\n"
         "To: <sip:bob@127.0.0.1>\r\n"
         "Call-ID: " + call_id + "\r\n"
         "CSeq: 1 INVITE\r\n"
         "Contact: <sip:alice@127.0.0.1:" + std::to_string(from_port) + ">\r\n" + extra +
         "Content-Length: 0\r\n\r\n";
}

// The response a UAS sends to `request`: its Via lines, From, To (with a tag), Call-ID, CSeq.
std::string Answer(const std::string& request, const std::string& status) {
  std::string out = "SIP/2.0 " + status + "\r\n";
  size_t pos = request.find("\r\n") + 2;
  while (pos < request.size()) {
    const size_t end = request.find("\r\n", pos);
    const std::string line = request.substr(pos, end - pos);
    if (line.empty()) break;
    for (const char* name : {"Via:", "From:", "Call-ID:", "CSeq:", "Record-Route:"}) {
      if (line.rfind(name, 0) == 0) out += line + "\r\n";
    }
    if (line.rfind("To:", 0) == 0) out += line + ";tag=b1\r\n";
    pos = end + 2;
  }
  return out + "Content-Length: 0\r\n\r\n";
}

TEST(ProxyStage, TheSeamSeesEveryStepAndItsVerdictsAreCarriedOut) {
  UdpPeer pbx;
  UdpPeer carrier;
  const uint16_t proxy_port = FreePort();

  auto config = std::make_shared<ProxyConfig>();
  config->listen.address = {"127.0.0.1", proxy_port};
  config->listen.tcp = false;
  config->metrics.enabled = false;
  // A short 64*T1: the proxy forgets a 2xx-answered INVITE after 0.5 s.
  config->timers.t1x64_ms = 500;
  for (auto [name, port, route_to] : {std::tuple{"pbx", pbx.port(), "carrier"},
                                      std::tuple{"carrier", carrier.port(), "pbx"}}) {
    TrunkConfig t;
    t.name = name;
    t.sources = {{"127.0.0.1", port}};
    t.host = "127.0.0.1";
    t.port = port;
    t.uri = "sip:127.0.0.1:" + std::to_string(port);
    t.route_to = route_to;
    config->trunks.push_back(std::move(t));
  }

  RecordingStage stage;
  stage.bye = "BYE sip:bob@127.0.0.1:" + std::to_string(carrier.port()) + " SIP/2.0\r\n"
              "Max-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=a1\r\n"
              "To: <sip:bob@127.0.0.1>;tag=b1\r\nCall-ID: ok-1\r\nCSeq: 2 BYE\r\n"
              "Reason: SIP;cause=408;text=\"session expired\"\r\nContent-Length: 0\r\n\r\n";
  stage.bye_next_hop = "sip:127.0.0.1:" + std::to_string(carrier.port());
  ProxyMetrics metrics;

  std::promise<std::string> started;
  std::thread proxy_thread([&] {
    // su_root belongs to the thread that creates it: create, run and destroy here.
    su_init();
    ProxyDeps deps;
    deps.metrics = &metrics;
    deps.log = std::make_shared<spdlog::logger>(
        "test", std::make_shared<spdlog::sinks::null_sink_mt>());
    deps.session_timer = &stage;
    std::string error;
    auto proxy = Proxy::Create("unused.json", config, std::move(deps), &error);
    started.set_value(proxy ? "" : error);
    if (proxy) proxy->Run();
    proxy.reset();
    su_deinit();
  });
  const std::string start_error = started.get_future().get();
  if (!start_error.empty()) {
    proxy_thread.join();
    FAIL() << "the proxy did not start: " << start_error;
  }

  // 1. The stage refuses: the caller gets its 422 with the stage's header; nothing goes on.
  pbx.SendTo(proxy_port, Invite(proxy_port, pbx.port(), "rejected-1", "X-Reject: yes\r\n"));
  const std::string refused = pbx.Receive("SIP/2.0 4");
  EXPECT_EQ(refused.rfind("SIP/2.0 422 Session Interval Too Small\r\n", 0), 0u) << refused;
  EXPECT_NE(refused.find("\r\nMin-SE: 1800\r\n"), std::string::npos) << refused;

  // 2. The stage lets it through: forwarded as the stage saw it leave, the answer relayed
  //    with the stage's edit.
  pbx.SendTo(proxy_port, Invite(proxy_port, pbx.port(), "ok-1", ""));
  const std::string forwarded = carrier.Receive("INVITE ");
  ASSERT_FALSE(forwarded.empty());
  EXPECT_EQ(forwarded.find("rejected-1"), std::string::npos);
  const std::string answer = Answer(forwarded, "200 OK");
  carrier.SendTo(proxy_port, answer);
  const std::string ok = pbx.Receive("SIP/2.0 200");
  EXPECT_NE(ok.find("\r\nX-Stage: seen\r\n"), std::string::npos) << ok;

  // 2b. The carrier retransmits its 200 (no ACK came): relayed while the proxy still holds
  //     the transaction, and again once it forgot it (a stray 2xx whose top Via is ours).
  carrier.SendTo(proxy_port, answer);
  EXPECT_NE(pbx.Receive("SIP/2.0 200").find("\r\nX-Stage: seen\r\n"), std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  carrier.SendTo(proxy_port, answer);
  const std::string stray = pbx.Receive("SIP/2.0 200");
  EXPECT_NE(stray.find("\r\nX-Stage: seen\r\n"), std::string::npos) << stray;
  EXPECT_NE(stray.find("Via: SIP/2.0/UDP 127.0.0.1:" + std::to_string(pbx.port())),
            std::string::npos)
      << stray;
  EXPECT_EQ(stray.find("Via: SIP/2.0/UDP 127.0.0.1:" + std::to_string(proxy_port)),
            std::string::npos)
      << stray;

  // 3. A deadline passes: the stage's BYE goes to the carrier, through the proxy.
  stage.expire_now = true;  // read on the proxy's next tick
  const std::string bye = carrier.Receive("BYE ");
  EXPECT_NE(bye.find("Via: SIP/2.0/UDP 127.0.0.1:" + std::to_string(proxy_port)),
            std::string::npos)
      << bye;
  EXPECT_NE(bye.find("Reason: SIP;cause=408"), std::string::npos) << bye;
  if (!bye.empty()) carrier.SendTo(proxy_port, Answer(bye, "200 OK"));

  raise(SIGTERM);  // the proxy's signal pipe stops it on its own thread
  proxy_thread.join();

  ASSERT_GE(stage.requests.size(), 2u);
  EXPECT_EQ(stage.requests[0], "INVITE pbx->carrier");
  EXPECT_EQ(stage.requests[1], "INVITE pbx->carrier");
  ASSERT_EQ(stage.responses.size(), 3u);
  for (const std::string& r : stage.responses) EXPECT_EQ(r, "200 carrier->pbx");
  // OnForwarded: the INVITE as sent (Record-Route on, no Via of the proxy yet), then each
  // 200 as relayed (the proxy's Via gone).
  ASSERT_EQ(stage.forwarded.size(), 4u);
  const std::string record_route = "Record-Route: <sip:127.0.0.1:" +
                                   std::to_string(proxy_port) + ";lr>\r\n";
  EXPECT_NE(stage.forwarded[0].find(record_route), std::string::npos) << stage.forwarded[0];
  EXPECT_EQ(stage.forwarded[0].find("Via: SIP/2.0/UDP 127.0.0.1:" + std::to_string(proxy_port)),
            std::string::npos);
  for (size_t i = 1; i < stage.forwarded.size(); ++i) {
    EXPECT_EQ(stage.forwarded[i].find("Via: SIP/2.0/UDP 127.0.0.1:" +
                                      std::to_string(proxy_port)),
              std::string::npos)
        << stage.forwarded[i];
  }
}

}  // namespace
}  // namespace smc::proxy
