// The queue probe: what it sends, and the delay it reports for probes read, late or lost.
#include "queue_probe.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace smc::proxy {
namespace {

using std::chrono::milliseconds;

// A UDP socket on the loopback standing in for the proxy's.
class ProxySocket {
 public:
  ProxySocket() {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    bind(fd_, reinterpret_cast<sockaddr*>(&a), len);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~ProxySocket() { close(fd_); }
  uint16_t port() const { return port_; }

  // The next datagram, waiting at most 2 s; "" when none came.
  std::string Read() {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 2000) != 1) return "";
    char buf[2048];
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

std::string CallId(const std::string& msg) {
  const size_t at = msg.find("\r\nCall-ID: ");
  if (at == std::string::npos) return "";
  const size_t start = at + 11;
  return msg.substr(start, msg.find("\r\n", start) - start);
}

TEST(QueueProbeTest, SendsAnOptionsThatCannotBeForwarded) {
  ProxySocket proxy;
  std::string error;
  auto probe = QueueProbe::Create("127.0.0.1", proxy.port(), &error);
  ASSERT_TRUE(probe) << error;
  EXPECT_FALSE(probe->OnTick(QueueProbe::Clock::now()));  // nothing measured yet
  const std::string msg = proxy.Read();
  EXPECT_EQ(msg.rfind("OPTIONS sip:127.0.0.1:" + std::to_string(proxy.port()) + " SIP/2.0\r\n", 0),
            0u)
      << msg;
  EXPECT_NE(msg.find("\r\nMax-Forwards: 0\r\n"), std::string::npos) << msg;
  EXPECT_NE(msg.find("\r\nCSeq: 1 OPTIONS\r\n"), std::string::npos) << msg;
  EXPECT_FALSE(CallId(msg).empty());
}

TEST(QueueProbeTest, ReportsHowLongTheProbeWaited) {
  ProxySocket proxy;
  std::string error;
  auto probe = QueueProbe::Create("127.0.0.1", proxy.port(), &error);
  ASSERT_TRUE(probe) << error;
  const auto t0 = QueueProbe::Clock::now();
  probe->OnTick(t0);
  const std::string id = CallId(proxy.Read());
  EXPECT_TRUE(probe->Recognise(id, t0 + milliseconds(30)));
  EXPECT_EQ(probe->OnTick(t0 + milliseconds(250)), milliseconds(30));
  EXPECT_FALSE(probe->Recognise("a-call-of-a-trunk@192.0.2.1", t0 + milliseconds(260)));
}

TEST(QueueProbeTest, AProbeNotReadYetCountsAsWaitingAtLeastItsAge) {
  ProxySocket proxy;
  std::string error;
  auto probe = QueueProbe::Create("127.0.0.1", proxy.port(), &error);
  ASSERT_TRUE(probe) << error;
  const auto t0 = QueueProbe::Clock::now();
  probe->OnTick(t0);
  EXPECT_EQ(probe->OnTick(t0 + milliseconds(250)), milliseconds(250));
  EXPECT_EQ(probe->OnTick(t0 + milliseconds(500)), milliseconds(500));
  // Read at last: its real delay, and a new probe goes out at the next tick.
  const std::string first = CallId(proxy.Read());
  EXPECT_TRUE(probe->Recognise(first, t0 + milliseconds(600)));
  EXPECT_EQ(probe->OnTick(t0 + milliseconds(750)), milliseconds(600));
  EXPECT_NE(CallId(proxy.Read()), first);
}

TEST(QueueProbeTest, AProbeOvertakenByALaterOneWasLostAndIsForgotten) {
  ProxySocket proxy;
  std::string error;
  auto probe = QueueProbe::Create("127.0.0.1", proxy.port(), &error);
  ASSERT_TRUE(probe) << error;
  const auto t0 = QueueProbe::Clock::now();
  probe->OnTick(t0);
  const std::string lost = CallId(proxy.Read());  // a full buffer dropped it
  EXPECT_EQ(probe->OnTick(t0 + milliseconds(250)), milliseconds(250));  // at least its age
  const std::string second = CallId(proxy.Read());
  ASSERT_FALSE(second.empty());
  EXPECT_NE(second, lost);
  EXPECT_TRUE(probe->Recognise(second, t0 + milliseconds(300)));
  // The second one's delay, not the age of the first one, which can no longer arrive.
  EXPECT_EQ(probe->OnTick(t0 + milliseconds(500)), milliseconds(50));
  EXPECT_TRUE(probe->Recognise(lost, t0 + milliseconds(510)));  // a probe all the same
  const std::string third = CallId(proxy.Read());
  EXPECT_TRUE(probe->Recognise(third, t0 + milliseconds(520)));
  EXPECT_EQ(probe->OnTick(t0 + milliseconds(750)), milliseconds(20));
}

TEST(QueueProbeTest, ReportsTheLongestDelayReadInATick) {
  ProxySocket proxy;
  std::string error;
  auto probe = QueueProbe::Create("127.0.0.1", proxy.port(), &error);
  ASSERT_TRUE(probe) << error;
  const auto t0 = QueueProbe::Clock::now();
  probe->OnTick(t0);
  probe->OnTick(t0 + milliseconds(250));  // a queue: neither probe is read in time
  const std::string first = CallId(proxy.Read());
  const std::string second = CallId(proxy.Read());
  EXPECT_TRUE(probe->Recognise(first, t0 + milliseconds(400)));   // 400 ms
  EXPECT_TRUE(probe->Recognise(second, t0 + milliseconds(410)));  // 160 ms
  EXPECT_EQ(probe->OnTick(t0 + milliseconds(500)), milliseconds(400));
}

TEST(QueueProbeTest, KeepsABoundedNumberOfProbesUnderWay) {
  ProxySocket proxy;
  std::string error;
  auto probe = QueueProbe::Create("127.0.0.1", proxy.port(), &error);
  ASSERT_TRUE(probe) << error;
  const auto t0 = QueueProbe::Clock::now();
  const size_t ticks = QueueProbe::kMaxUnderWay + 4;
  for (size_t i = 0; i < ticks; ++i) probe->OnTick(t0 + milliseconds(250 * i));
  // None read: the oldest one kept was sent kMaxUnderWay ticks before the next tick.
  EXPECT_EQ(probe->OnTick(t0 + milliseconds(250 * ticks)),
            milliseconds(250 * QueueProbe::kMaxUnderWay));
}

}  // namespace
}  // namespace smc::proxy
