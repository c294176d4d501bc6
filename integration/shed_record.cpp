#include "shed_record.h"

#include <utility>

namespace smc::proxy {

std::string ShedRecord::Key(std::string_view branch, std::string_view call_id) {
  std::string key;
  key.reserve(branch.size() + 1 + call_id.size());
  // A space separates them: neither a branch (a token) nor a Call-ID holds one.
  key.append(branch).append(1, ' ').append(call_id);
  return key;
}

void ShedRecord::Remember(std::string key, std::string to_tag, Clock::time_point now,
                          Clock::duration ttl) {
  if (capacity_ == 0) return;
  Expire(now);
  while (by_key_.size() >= capacity_ && !order_.empty()) {
    by_key_.erase(order_.front().second);
    order_.pop_front();
  }
  const Clock::time_point expires = now + ttl;
  const bool inserted =
      by_key_.try_emplace(key, Entry{Answer{std::move(to_tag), now}, expires}).second;
  if (inserted) order_.emplace_back(expires, std::move(key));
  // Remembered already: the first answer and its expiry stand (the proxy asks Find first).
}

std::optional<ShedRecord::Answer> ShedRecord::Find(const std::string& key,
                                                   Clock::time_point now) {
  Expire(now);
  const auto it = by_key_.find(key);
  if (it == by_key_.end() || it->second.expires <= now) return std::nullopt;
  return it->second.answer;
}

void ShedRecord::Resent(const std::string& key, Clock::time_point now) {
  const auto it = by_key_.find(key);
  if (it != by_key_.end()) it->second.answer.last_sent = now;
}

void ShedRecord::Expire(Clock::time_point now) {
  // Entries are made with one ttl, so insertion order is expiry order (a reload that
  // changes the ttl only delays some expiries; Find checks each entry's own).
  while (!order_.empty() && order_.front().first <= now) {
    const auto it = by_key_.find(order_.front().second);
    if (it != by_key_.end() && it->second.expires <= now) by_key_.erase(it);
    order_.pop_front();
  }
}

}  // namespace smc::proxy
