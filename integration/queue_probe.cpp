#include "queue_probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace smc::proxy {
namespace {

bool ToSockaddr(const std::string& ip, uint16_t port, sockaddr_storage* out, socklen_t* len) {
  std::memset(out, 0, sizeof *out);
  auto* v4 = reinterpret_cast<sockaddr_in*>(out);
  if (inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    *len = sizeof(sockaddr_in);
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(out);
  if (inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    *len = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

}  // namespace

std::unique_ptr<QueueProbe> QueueProbe::Create(const std::string& ip, uint16_t port,
                                               std::string* error) {
  std::string target = ip;
  if (target == "0.0.0.0") target = "127.0.0.1";
  if (target == "::") target = "::1";
  sockaddr_storage addr;
  socklen_t len = 0;
  if (!ToSockaddr(target, 0, &addr, &len)) {
    *error = "queue probe: " + ip + " is no IP address";
    return nullptr;
  }
  const int fd = socket(addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = std::string("queue probe: socket: ") + std::strerror(errno);
    return nullptr;
  }
  // From the proxy's own address, so that the probe takes the path a peer's message takes.
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    *error = std::string("queue probe: bind: ") + std::strerror(errno);
    close(fd);
    return nullptr;
  }
  const uint16_t local_port = addr.ss_family == AF_INET
                                  ? ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port)
                                  : ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  const bool v6 = addr.ss_family == AF_INET6;
  const std::string host = v6 ? "[" + target + "]" : target;
  std::random_device random;
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "smc-probe-%08x-", random());
  std::unique_ptr<QueueProbe> probe(
      new QueueProbe(fd, prefix, target, port, host + ":" + std::to_string(local_port)));
  probe->v6_ = v6;
  return probe;
}

QueueProbe::QueueProbe(int fd, std::string prefix, std::string target_ip, uint16_t target_port,
                       std::string local)
    : fd_(fd),
      prefix_(std::move(prefix)),
      target_ip_(std::move(target_ip)),
      target_port_(target_port),
      local_(std::move(local)),
      v6_(false) {}

QueueProbe::~QueueProbe() { close(fd_); }

void QueueProbe::Send(Clock::time_point now) {
  ++seq_;
  const std::string host = v6_ ? "[" + target_ip_ + "]" : target_ip_;
  const std::string call_id = prefix_ + std::to_string(seq_);
  std::string msg = "OPTIONS sip:" + host + ":" + std::to_string(target_port_) +
                    " SIP/2.0\r\nVia: SIP/2.0/UDP " + local_ + ";branch=z9hG4bK" + call_id +
                    "\r\nMax-Forwards: 0\r\nFrom: <sip:probe@" + local_ + ">;tag=" +
                    std::to_string(seq_) + "\r\nTo: <sip:probe@" + local_ + ">\r\nCall-ID: " +
                    call_id + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
  sockaddr_storage to;
  socklen_t len = 0;
  if (!ToSockaddr(target_ip_, target_port_, &to, &len)) return;
  // A full socket buffer refuses it: then the probe is simply sent again next tick.
  if (sendto(fd_, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&to), len) < 0) {
    return;
  }
  if (under_way_.size() >= kMaxUnderWay) under_way_.pop_front();
  under_way_.push_back({seq_, now});
}

std::optional<QueueProbe::Clock::duration> QueueProbe::OnTick(Clock::time_point now) {
  std::optional<Clock::duration> sample;
  if (read_this_tick_) {
    sample = read_this_tick_;
  } else if (!under_way_.empty()) {
    sample = now - under_way_.front().sent_at;  // not read yet: it has waited at least this
  } else {
    sample = last_;
  }
  read_this_tick_.reset();
  Send(now);
  return sample;
}

bool QueueProbe::Recognise(std::string_view call_id, Clock::time_point now) {
  if (call_id.substr(0, prefix_.size()) != prefix_) return false;
  uint64_t seq = 0;
  const std::string_view digits = call_id.substr(prefix_.size());
  for (char c : digits) {
    if (c < '0' || c > '9') return true;  // a probe's prefix, not one of ours: absorbed
    seq = seq * 10 + static_cast<uint64_t>(c - '0');
  }
  for (auto it = under_way_.begin(); it != under_way_.end(); ++it) {
    if (it->seq != seq) continue;
    const Clock::duration delay = now - it->sent_at;
    last_ = delay;
    if (!read_this_tick_ || delay > *read_this_tick_) read_this_tick_ = delay;
    under_way_.erase(under_way_.begin(), it + 1);  // the older ones were dropped
    break;
  }
  return true;
}

}  // namespace smc::proxy
