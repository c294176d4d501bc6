#include "chain_index.h"

#include <algorithm>
#include <cstring>

namespace smc::internal {
namespace {

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Orders a name written in any case against a lower-cased one, without copying it.
int CompareFolded(std::string_view name, std::string_view lower) {
  const size_t n = std::min(name.size(), lower.size());
  for (size_t i = 0; i < n; ++i) {
    const char a = LowerAscii(name[i]);
    if (a != lower[i]) return static_cast<unsigned char>(a) < static_cast<unsigned char>(lower[i]) ? -1 : 1;
  }
  if (name.size() == lower.size()) return 0;
  return name.size() < lower.size() ? -1 : 1;
}

// Headers nearly every message carries: indexing a rule under one of them would make it a
// candidate for every message, so another required header is preferred when there is one.
bool AlmostAlwaysPresent(HeaderId id) {
  switch (id) {
    case HeaderId::kVia:
    case HeaderId::kFrom:
    case HeaderId::kTo:
    case HeaderId::kCallId:
    case HeaderId::kCSeq:
    case HeaderId::kMaxForwards:
    case HeaderId::kContact:
    case HeaderId::kContentLength:
      return true;
    default:
      return false;
  }
}

// The header condition the rule is indexed under: one whose header must be present for the
// rule to apply. Null when every condition can hold without its header.
const Condition* IndexingCondition(const Rule& rule) {
  const Condition* chosen = nullptr;
  for (const Condition& c : rule.conditions) {
    if (c.target.scope != Scope::kHeader || ConditionHoldsWhenAbsent(c)) continue;
    if (chosen == nullptr) chosen = &c;
    if (c.target.header == HeaderId::kOther || !AlmostAlwaysPresent(c.target.header)) {
      return &c;
    }
  }
  return chosen;
}

constexpr size_t WordsFor(size_t bits) { return (bits + 63) / 64; }

}  // namespace

bool ConditionHoldsWhenAbsent(const Condition& condition) {
  switch (condition.cmp.op) {
    case Op::kExists:
      return false;
    case Op::kNotExists:
      return true;
    default:
      return Compare(condition.cmp, std::string_view());
  }
}

ChainIndex::ChainIndex(const std::vector<ProfilePtr>& profiles) {
  static_assert(static_cast<size_t>(HeaderId::kCount) <= 64, "ids_indexed is one word");
  for (const ProfilePtr& profile : profiles) {
    if (!profile) continue;
    const std::vector<Rule>& profile_rules = profile->data().rules;
    for (size_t i = 0; i < profile_rules.size(); ++i) {
      rules.push_back(Entry{profile.get(), static_cast<uint32_t>(i), RulePlan(profile_rules[i])});
    }
  }
  always.assign(WordsFor(rules.size()), 0);
  for (size_t r = 0; r < rules.size(); ++r) {
    const Condition* c = IndexingCondition(*rules[r].plan.rule);
    if (c == nullptr) {
      always[r / 64] |= uint64_t{1} << (r % 64);
    } else if (c->target.header != HeaderId::kOther) {
      const size_t id = static_cast<size_t>(c->target.header);
      by_id[id].push_back(static_cast<uint32_t>(r));
      ids_indexed |= uint64_t{1} << id;
    } else {
      auto it = std::find_if(by_name.begin(), by_name.end(), [&](const NamedRules& n) {
        return n.lower_name == c->target.header_lower;
      });
      if (it == by_name.end()) {
        by_name.push_back(NamedRules{c->target.header_lower, {}});
        it = by_name.end() - 1;
      }
      it->rules.push_back(static_cast<uint32_t>(r));
    }
  }
  std::sort(by_name.begin(), by_name.end(),
            [](const NamedRules& a, const NamedRules& b) { return a.lower_name < b.lower_name; });
}

const std::vector<uint32_t>* ChainIndex::RulesNeeding(const Target& target) const {
  if (target.scope != Scope::kHeader) return nullptr;
  if (target.header != HeaderId::kOther) {
    const std::vector<uint32_t>& list = by_id[static_cast<size_t>(target.header)];
    return list.empty() ? nullptr : &list;
  }
  return RulesNeedingName(target.header_lower);
}

const std::vector<uint32_t>* ChainIndex::RulesNeedingName(std::string_view name) const {
  size_t lo = 0;
  size_t hi = by_name.size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    const int c = CompareFolded(name, by_name[mid].lower_name);
    if (c == 0) return &by_name[mid].rules;
    if (c > 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return nullptr;
}

CandidateSet::CandidateSet(const ChainIndex& index, const SipMessage& message, bool all) {
  word_count_ = WordsFor(index.rules.size());
  if (word_count_ <= kInlineWords) {
    words_ = inline_words_;
  } else {
    heap_words_.resize(word_count_);
    words_ = heap_words_.data();
  }
  if (all) {
    std::fill(words_, words_ + word_count_, ~uint64_t{0});
    const size_t tail = index.rules.size() % 64;
    if (tail != 0) words_[word_count_ - 1] = (uint64_t{1} << tail) - 1;
    return;
  }
  if (word_count_ > 0) {
    std::memcpy(words_, index.always.data(), word_count_ * sizeof(uint64_t));
  }
  // One pass over the header lines: known headers as a bit each, other names looked up.
  uint64_t present = 0;
  const bool any_named = !index.by_name.empty();
  for (size_t i = 0; i < message.header_count(); ++i) {
    const HeaderId id = message.header_id(i);
    if (id != HeaderId::kOther) {
      present |= uint64_t{1} << static_cast<size_t>(id);
    } else if (any_named) {
      if (const std::vector<uint32_t>* list = index.RulesNeedingName(message.header_name(i))) {
        Add(*list);
      }
    }
  }
  present &= index.ids_indexed;
  while (present != 0) {
    const int id = __builtin_ctzll(present);
    present &= present - 1;
    Add(index.by_id[static_cast<size_t>(id)]);
  }
}

void CandidateSet::Add(const std::vector<uint32_t>& rules) {
  for (uint32_t r : rules) words_[r / 64] |= uint64_t{1} << (r % 64);
}

void CandidateSet::AddAfter(const std::vector<uint32_t>& rules, size_t after) {
  // The list is ascending: skip to the first rule after `after`.
  auto it = std::upper_bound(rules.begin(), rules.end(), after,
                             [](size_t a, uint32_t r) { return a < r; });
  for (; it != rules.end(); ++it) words_[*it / 64] |= uint64_t{1} << (*it % 64);
}

size_t CandidateSet::Next(size_t from) const {
  size_t w = from / 64;
  if (w >= word_count_) return npos;
  uint64_t bits = words_[w] & (~uint64_t{0} << (from % 64));
  while (true) {
    if (bits != 0) return w * 64 + static_cast<size_t>(__builtin_ctzll(bits));
    if (++w >= word_count_) return npos;
    bits = words_[w];
  }
}

}  // namespace smc::internal
