// The INVITEs smc-proxy shed recently, so that a retransmission of one gets the same 503
// again instead of a fresh admission decision.
//
// A shed INVITE leaves no transaction behind (the 503 is sent statelessly, see
// Proxy::Shed). Under overload the 503 can reach the caller after its first
// retransmission (500 ms) has left; without this record that retransmission is a new
// decision, and when the guard admits it the caller, already past its 503, gets a 200 for
// a call it has ended: the callee's side then waits for an ACK and a BYE that never come
// (seen in scripts/overload.sh as "dead call" 200s and BYEs answered 482). RFC 3261 17.2.1
// wants a retransmitted INVITE to get the answer the first one got; this record gives it.
//
// Bounded: entries live for `ttl` (the time a caller keeps retransmitting: 64*T1) and at
// most `capacity` are kept, oldest dropped first. Time is passed in, so it is testable.
#ifndef SMC_INTEGRATION_SHED_RECORD_H_
#define SMC_INTEGRATION_SHED_RECORD_H_

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace smc::proxy {

class ShedRecord {
 public:
  using Clock = std::chrono::steady_clock;

  // At 2,000 shed INVITEs a second, 32 s of them; about 100 bytes each.
  static constexpr size_t kDefaultCapacity = 65536;

  explicit ShedRecord(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  // The key of an INVITE transaction: its top Via branch and its Call-ID (RFC 3261 17.2.3).
  static std::string Key(std::string_view branch, std::string_view call_id);

  // What was sent for a shed INVITE.
  struct Answer {
    std::string to_tag;                 // of its 503
    Clock::time_point last_sent;        // when a 503 last went out for it
  };

  // Remembers that the INVITE `key` was answered 503 with To tag `to_tag` at `now`, until
  // now + ttl.
  void Remember(std::string key, std::string to_tag, Clock::time_point now,
                Clock::duration ttl);
  // What was sent for `key`, when it was shed within its ttl.
  std::optional<Answer> Find(const std::string& key, Clock::time_point now);
  // A 503 went out again for `key` at `now`.
  void Resent(const std::string& key, Clock::time_point now);

  size_t size() const { return by_key_.size(); }
  bool empty() const { return by_key_.empty(); }

 private:
  struct Entry {
    Answer answer;
    Clock::time_point expires;
  };
  void Expire(Clock::time_point now);

  size_t capacity_;
  std::unordered_map<std::string, Entry> by_key_;
  std::deque<std::pair<Clock::time_point, std::string>> order_;  // by insertion time
};

}  // namespace smc::proxy

#endif  // SMC_INTEGRATION_SHED_RECORD_H_
