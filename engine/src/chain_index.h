// The index a ProfileChain builds once: every rule of its profiles in order, and for each
// header the rules that cannot apply unless that header is present. Apply() turns it into a
// CandidateSet for one message so that it only walks rules that can match.
#ifndef SMC_ENGINE_CHAIN_INDEX_H_
#define SMC_ENGINE_CHAIN_INDEX_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiled_profile.h"
#include "rule_plan.h"
#include "smc/header_names.h"
#include "smc/profile.h"
#include "smc/sip_message.h"

namespace smc::internal {

// True when the condition can hold on a target that has no lines. Computed here from the
// operator rather than taken from Condition::holds_when_absent, because line presence
// (EXISTS/NOT_EXISTS) is the rewriter's semantics, not Compare()'s.
bool ConditionHoldsWhenAbsent(const Condition& condition);

struct ChainIndex {
  struct Entry {
    const CompiledProfile* profile;
    uint32_t rule_index;  // in its profile
    RulePlan plan;
  };
  struct NamedRules {
    std::string lower_name;       // a header without a HeaderId, lower-cased
    std::vector<uint32_t> rules;  // ascending indices into `rules`
  };

  explicit ChainIndex(const std::vector<ProfilePtr>& profiles);

  // The rules indexed under the header a target names; null when none (or not a header).
  const std::vector<uint32_t>* RulesNeeding(const Target& target) const;
  // The rules indexed under a header without a HeaderId, by its name in any case.
  const std::vector<uint32_t>* RulesNeedingName(std::string_view name) const;

  std::vector<Entry> rules;            // every rule of every profile, in chain order
  std::vector<uint64_t> always;        // bitset: rules that need no header present
  std::array<std::vector<uint32_t>, static_cast<size_t>(HeaderId::kCount)> by_id;
  uint64_t ids_indexed = 0;            // bit per HeaderId with a non-empty by_id list
  std::vector<NamedRules> by_name;     // sorted by lower_name
};

// The rules of a chain that can apply to one message: a bitset over ChainIndex::rules.
// Small chains keep it on the stack, so that a message no rule concerns costs no allocation.
class CandidateSet {
 public:
  static constexpr size_t npos = static_cast<size_t>(-1);

  // With `all`, every rule is a candidate (tracing reports every rule whose filter matches).
  CandidateSet(const ChainIndex& index, const SipMessage& message, bool all);
  CandidateSet(const CandidateSet&) = delete;
  CandidateSet& operator=(const CandidateSet&) = delete;

  // The first candidate at or after `from`, or npos.
  size_t Next(size_t from) const;
  // Makes the rules of `rules` after `after` candidates (a header they need was added).
  void AddAfter(const std::vector<uint32_t>& rules, size_t after);

 private:
  void Add(const std::vector<uint32_t>& rules);

  static constexpr size_t kInlineWords = 64;  // 4096 rules without touching the heap
  uint64_t inline_words_[kInlineWords];
  std::vector<uint64_t> heap_words_;
  uint64_t* words_ = nullptr;
  size_t word_count_ = 0;
};

}  // namespace smc::internal

#endif  // SMC_ENGINE_CHAIN_INDEX_H_
