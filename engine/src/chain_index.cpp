#include "chain_index.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace smc::internal {
namespace {

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// A name written in any case against a lower-cased one.
bool EqualsFolded(std::string_view name, std::string_view lower) {
  if (name.size() != lower.size()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (LowerAscii(name[i]) != lower[i]) return false;
  }
  return true;
}

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

// Whether `text` contains `needle` (not empty). Inline: the values searched are a few dozen
// bytes, and most lack the needle's first byte, so one memchr decides.
bool HasText(std::string_view text, std::string_view needle) {
  if (needle.size() > text.size()) return false;
  const char* p = text.data();
  const char* const last = p + (text.size() - needle.size());
  while ((p = static_cast<const char*>(std::memchr(p, needle[0], last - p + 1))) != nullptr) {
    if (std::memcmp(p + 1, needle.data() + 1, needle.size() - 1) == 0) return true;
    if (p++ == last) break;
  }
  return false;
}

// The text a line of the rule's indexing header must contain for `c` (its indexing
// condition) to hold: "" when there is none. A MATCHES holds on a line only if its regex
// matches the line's value, or the part of it Regex1/RegEx2 extract, and so only if the
// value contains what every match contains; with no line, or no extract, it compares "",
// which a regex needing some text cannot match.
std::string_view GateText(const RulePlan& plan, const Condition* c) {
  if (c->cmp.op != Op::kMatches) return {};
  const ConditionPlan& condition = plan.conditions[static_cast<size_t>(c - plan.rule->conditions.data())];
  if (!condition.cmp.regex) return {};
  return condition.cmp.regex.RequiredText();
}

// A rule without conditions whose defs only edit or delete header lines: it changes nothing
// in a message that has none of their headers.
bool IsPassive(const Rule& rule) {
  if (!rule.conditions.empty()) return false;
  for (const ReplaceDef& d : rule.defs) {
    if (d.type == ReplaceType::kAddLine || d.target.scope != Scope::kHeader) return false;
  }
  return true;
}

// An order of message filters (MsgType, ReqMethod, RspCodeList) in which rules written
// with the same filter are next to each other.
bool FilterLess(const Rule& a, const Rule& b) {
  if (a.msg_type != b.msg_type) return a.msg_type < b.msg_type;
  if (a.methods != b.methods) return a.methods < b.methods;
  return std::lexicographical_compare(
      a.codes.begin(), a.codes.end(), b.codes.begin(), b.codes.end(),
      [](const Rule::CodeRange& x, const Rule::CodeRange& y) {
        return x.lo != y.lo ? x.lo < y.lo : x.hi < y.hi;
      });
}

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
  size_t rule_count = 0;
  for (const ProfilePtr& profile : profiles) {
    if (profile) rule_count += profile->data().rules.size();
  }
  rules.reserve(rule_count);
  for (const ProfilePtr& profile : profiles) {
    if (!profile) continue;
    const std::vector<Rule>& profile_rules = profile->data().rules;
    for (size_t i = 0; i < profile_rules.size(); ++i) {
      rules.push_back(Entry{profile.get(), static_cast<uint32_t>(i), IsPassive(profile_rules[i]),
                            RulePlan(profile_rules[i])});
    }
  }
  always.assign(WordsFor(rules.size()), 0);
  // Rules under names without a HeaderId, as (name, rule) pairs: sorted, then grouped, so
  // that building the index is O(n log n) in the number of distinct names.
  std::vector<std::pair<std::string_view, uint32_t>> named;
  auto index_under = [&](const Target& target, uint32_t r) {
    if (target.header != HeaderId::kOther) {
      const size_t id = static_cast<size_t>(target.header);
      // A passive rule may edit the same header twice: listed once.
      if (by_id[id].empty() || by_id[id].back() != r) by_id[id].push_back(r);
      ids_indexed |= uint64_t{1} << id;
    } else {
      named.emplace_back(target.header_lower, r);
    }
  };
  std::vector<uint32_t> passive;
  gate_of.assign(rules.size(), -1);
  // Gated rules per header. A header with a single one is not gated: that rule's condition
  // looks for the same text first when its turn comes, and a check when Apply() starts
  // would only add to it when the text is there.
  constexpr size_t kMinGated = 2;
  std::array<uint32_t, static_cast<size_t>(HeaderId::kCount)> gated_per_id{};
  std::vector<std::string_view> gated_names;  // names of headers without a HeaderId
  for (size_t r = 0; r < rules.size(); ++r) {
    const Rule& rule = *rules[r].plan.rule;
    if (rules[r].passive) {
      for (const ReplaceDef& d : rule.defs) index_under(d.target, static_cast<uint32_t>(r));
      passive.push_back(static_cast<uint32_t>(r));
    } else if (const Condition* c = IndexingCondition(rule)) {
      index_under(c->target, static_cast<uint32_t>(r));
      const std::string_view text = GateText(rules[r].plan, c);
      if (!text.empty()) {
        gate_of[r] = static_cast<int32_t>(gates.size());
        gates.push_back(Gate{std::string(text)});
        if (c->target.header != HeaderId::kOther) {
          ++gated_per_id[static_cast<size_t>(c->target.header)];
        } else {
          gated_names.push_back(c->target.header_lower);
        }
      }
    } else {
      always[r / 64] |= uint64_t{1} << (r % 64);
    }
  }
  // Ordered by name, then rule: each list is ascending, as AddAfter() needs.
  std::sort(named.begin(), named.end());
  for (const auto& [name, r] : named) {
    if (by_name.empty() || by_name.back().lower_name != name) {
      by_name.push_back(NamedRules{std::string(name), {}});
    }
    if (by_name.back().rules.empty() || by_name.back().rules.back() != r) {
      by_name.back().rules.push_back(r);
    }
  }
  for (size_t id = 0; id < gated_per_id.size(); ++id) {
    if (gated_per_id[id] >= kMinGated) ids_gated |= uint64_t{1} << id;
  }
  std::sort(gated_names.begin(), gated_names.end());
  for (size_t i = 0; i < gated_names.size();) {
    size_t j = i;
    while (j < gated_names.size() && gated_names[j] == gated_names[i]) ++j;
    if (j - i >= kMinGated) {
      auto it = std::lower_bound(by_name.begin(), by_name.end(), gated_names[i],
                                 [](const NamedRules& n, std::string_view x) {
                                   return n.lower_name < x;
                                 });
      if (it != by_name.end() && it->lower_name == gated_names[i]) it->any_gated = true;
    }
    i = j;
  }
  // Passive rules grouped by filter, so that Apply() evaluates each filter once.
  auto filter_less = [&](uint32_t a, uint32_t b) {
    return FilterLess(*rules[a].plan.rule, *rules[b].plan.rule);
  };
  std::sort(passive.begin(), passive.end(), filter_less);
  for (size_t i = 0; i < passive.size(); ++i) {
    if (i == 0 || filter_less(passive[i - 1], passive[i])) {
      passive_groups.push_back(PassiveGroup{rules[passive[i]].plan.rule, 0});
    }
    ++passive_groups.back().size;
  }
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
  const NamedRules* named = FindName(name);
  return named != nullptr ? &named->rules : nullptr;
}

const std::vector<uint32_t>* ChainIndex::GatedRulesNeeding(const Target& target) const {
  if (target.scope != Scope::kHeader) return nullptr;
  if (target.header != HeaderId::kOther) {
    const size_t id = static_cast<size_t>(target.header);
    return ((ids_gated >> id) & 1) != 0 ? &by_id[id] : nullptr;
  }
  if (gates.empty()) return nullptr;
  const NamedRules* named = FindName(target.header_lower);
  return named != nullptr && named->any_gated ? &named->rules : nullptr;
}

const ChainIndex::NamedRules* ChainIndex::FindName(std::string_view name) const {
  size_t lo = 0;
  size_t hi = by_name.size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    const int c = CompareFolded(name, by_name[mid].lower_name);
    if (c == 0) return &by_name[mid];
    if (c > 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return nullptr;
}

void LineIndex::Build(const SipMessage& message) {
  static_assert(static_cast<size_t>(HeaderId::kCount) <= 64, "present_ is one word");
  built_ = true;
  const size_t count = message.header_count();
  usable_ = count <= kMaxLines;
  uint64_t present = 0;
  if (usable_) {
    for (size_t i = 0; i < count; ++i) {
      const size_t id = static_cast<size_t>(message.header_id(i));
      const uint64_t bit = uint64_t{1} << id;
      if ((present & bit) == 0) {
        present |= bit;
        first_[id] = static_cast<uint16_t>(i);
      }
      last_[id] = static_cast<uint16_t>(i);
    }
  }
  present_ = present;
}

size_t LineIndex::Scan(const SipMessage& message, const Target& target, size_t from) {
  if (!built_) Build(message);
  const HeaderId id = target.header;
  if (!usable_) {
    return id == HeaderId::kOther ? message.FindHeader(target.header_lower, from)
                                  : message.FindHeader(id, from);
  }
  const size_t k = static_cast<size_t>(id);
  if ((present_ & (uint64_t{1} << k)) == 0 || from > last_[k]) return SipMessage::npos;
  for (size_t i = std::max<size_t>(from, first_[k]); i <= last_[k]; ++i) {
    if (message.header_id(i) != id) continue;
    if (id != HeaderId::kOther || EqualsFolded(message.header_name(i), target.header_lower)) {
      return i;
    }
  }
  return SipMessage::npos;
}

void LineIndex::Removed(const SipMessage& message, size_t line, HeaderId id) {
  if (!usable()) {
    built_ = false;
    return;
  }
  const size_t k = static_cast<size_t>(id);
  const uint64_t bit = uint64_t{1} << k;
  const uint16_t first_k = first_[k];
  const uint16_t last_k = last_[k];
  // The lines after it moved up by one: every entry, present or not, 8 at a time.
#if defined(__SSE2__)
  const __m128i at = _mm_set1_epi16(static_cast<int16_t>(line));
  for (uint16_t* entries : {first_.data(), last_.data()}) {
    for (size_t j = 0; j < kSlots; j += 8) {
      __m128i* p = reinterpret_cast<__m128i*>(entries + j);
      const __m128i v = _mm_loadu_si128(p);
      // -1 in the lanes after the line: added, it moves them up.
      _mm_storeu_si128(p, _mm_add_epi16(v, _mm_cmpgt_epi16(v, at)));
    }
  }
#else
  for (size_t j = 0; j < kSlots; ++j) {
    first_[j] = static_cast<uint16_t>(first_[j] - (first_[j] > line ? 1 : 0));
    last_[j] = static_cast<uint16_t>(last_[j] - (last_[j] > line ? 1 : 0));
  }
#endif
  first_[k] = first_k;
  last_[k] = last_k;
  if (first_[k] == line && last_[k] == line) {
    present_ &= ~bit;
  } else if (last_[k] == line) {
    // It was the last: the one before it is.
    size_t i = line - 1;
    while (message.header_id(i) != id) --i;
    last_[k] = static_cast<uint16_t>(i);
  } else {
    --last_[k];
    if (first_[k] == line) {
      // The next line of the header is now at `line` or after.
      size_t i = line;
      while (message.header_id(i) != id) ++i;
      first_[k] = static_cast<uint16_t>(i);
    }
  }
}

CandidateSet::CandidateSet(const ChainIndex& index, const SipMessage& message,
                           const LineIndex& lines, bool all) {
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
  // Known headers as a bit each, from the line index; other names looked up.
  uint64_t present = 0;
  const bool any_named = !index.by_name.empty();
  auto add_named = [&](size_t i, bool gate) {
    if (const ChainIndex::NamedRules* named = index.FindName(message.header_name(i))) {
      if (gate && named->any_gated) {
        AddGated(index, named->rules, message.header_value(i));
      } else {
        Add(named->rules);
      }
    }
  };
  if (lines.usable()) {
    present = lines.present();
    if (any_named && (present & 1) != 0) {
      for (size_t i = lines.first_other(); i <= lines.last_other(); ++i) {
        if (message.header_id(i) == HeaderId::kOther) add_named(i, true);
      }
    }
    // Lists with gated rules: each line of the header adds the rules its value lets in.
    uint64_t gated = present & index.ids_gated;
    present &= ~gated;
    while (gated != 0) {
      const HeaderId id = static_cast<HeaderId>(__builtin_ctzll(gated));
      gated &= gated - 1;
      const std::vector<uint32_t>& list = index.by_id[static_cast<size_t>(id)];
      for (size_t i = lines.first_line(id); i <= lines.last_line(id); ++i) {
        if (message.header_id(i) == id) AddGated(index, list, message.header_value(i));
      }
    }
  } else {
    for (size_t i = 0; i < message.header_count(); ++i) {
      const HeaderId id = message.header_id(i);
      if (id != HeaderId::kOther) {
        present |= uint64_t{1} << static_cast<size_t>(id);
      } else if (any_named) {
        add_named(i, false);
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

void CandidateSet::AddGated(const ChainIndex& index, const std::vector<uint32_t>& rules,
                            std::string_view value) {
  for (const uint32_t r : rules) {
    const int32_t g = index.gate_of[r];
    if (g >= 0 && !HasText(value, index.gates[static_cast<size_t>(g)].text)) continue;
    words_[r / 64] |= uint64_t{1} << (r % 64);
  }
}

void CandidateSet::AddAfter(const std::vector<uint32_t>& rules, size_t after) {
  // The list is ascending: skip to the first rule after `after`.
  auto it = std::upper_bound(rules.begin(), rules.end(), after,
                             [](size_t a, uint32_t r) { return a < r; });
  for (; it != rules.end(); ++it) words_[*it / 64] |= uint64_t{1} << (*it % 64);
}

}  // namespace smc::internal
