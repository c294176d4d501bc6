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

// A rule is indexed under a header it cannot apply without: the header of a condition that
// needs its header present; or, for a rule without conditions whose defs only edit or
// delete header lines (a "passive" rule), under each header its defs edit. A passive rule
// applies to every message its filter matches, but changes nothing unless one of those
// headers is present: Apply() runs it only then, and counts it in rules_applied otherwise.
struct ChainIndex {
  struct Entry {
    const CompiledProfile* profile;
    uint32_t rule_index;  // in its profile
    bool passive;
    RulePlan plan;
  };
  struct NamedRules {
    std::string lower_name;       // a header without a HeaderId, lower-cased
    std::vector<uint32_t> rules;  // ascending indices into `rules`
    bool any_gated = false;       // some of them have a Gate
  };
  // Text that a line of the header a rule is indexed under must contain for the rule to
  // apply: its indexing condition is a MATCHES whose every match contains the text. Checked
  // on the message's lines when Apply() starts, so that a rule whose text no line holds is
  // not a candidate; a rule that edits the header makes such rules candidates again.
  struct Gate {
    std::string text;  // not empty
  };
  // Passive rules with the same message filter (MsgType, ReqMethod, RspCodeList).
  struct PassiveGroup {
    const Rule* filter;  // any one of them
    uint32_t size;
  };

  explicit ChainIndex(const std::vector<ProfilePtr>& profiles);

  // The rules indexed under the header a target names; null when none (or not a header).
  const std::vector<uint32_t>* RulesNeeding(const Target& target) const;
  // The rules indexed under a header without a HeaderId, by its name in any case.
  const std::vector<uint32_t>* RulesNeedingName(std::string_view name) const;
  const NamedRules* FindName(std::string_view name) const;
  // RulesNeeding(target) when some of them are gated; else null (none can have become
  // candidates by an edit of a line the header already had).
  const std::vector<uint32_t>* GatedRulesNeeding(const Target& target) const;

  std::vector<Entry> rules;            // every rule of every profile, in chain order
  std::vector<uint64_t> always;        // bitset: rules that need no header present
  std::array<std::vector<uint32_t>, static_cast<size_t>(HeaderId::kCount)> by_id;
  uint64_t ids_indexed = 0;            // bit per HeaderId with a non-empty by_id list
  uint64_t ids_gated = 0;              // bit per HeaderId whose by_id list has a gated rule
  std::vector<int32_t> gate_of;        // per rule: its index in `gates`, or -1
  std::vector<Gate> gates;
  std::vector<NamedRules> by_name;     // sorted by lower_name
  std::vector<PassiveGroup> passive_groups;
};

// Where the lines of each header are in one message: found in one pass when Apply() starts
// (the pass that decides the candidate rules), and kept up to date as rules remove lines,
// so that conditions and defs go straight to their lines instead of scanning the message
// from its first line for each target. A message with more lines than it can number is
// searched line by line instead.
class LineIndex {
 public:
  void Build(const SipMessage& message);
  // False when the message has too many lines: then only Find() works (by scanning).
  bool usable() const { return built_ && usable_; }
  // Bit per HeaderId that has a line (kOther: a line without an id). Only when usable().
  uint64_t present() const { return present_; }
  // Every line without a HeaderId is in [first, last]. Only when usable() and present.
  size_t first_other() const { return first_[0]; }
  size_t last_other() const { return last_[0]; }
  // The first and last line of a header id. Only when usable() and its bit is in present().
  size_t first_line(HeaderId id) const { return first_[static_cast<size_t>(id)]; }
  size_t last_line(HeaderId id) const { return last_[static_cast<size_t>(id)]; }

  // The first line of a header target at or after `from`, or SipMessage::npos.
  size_t Find(const SipMessage& message, const Target& target, size_t from) {
    const size_t k = static_cast<size_t>(target.header);
    if (built_ && usable_ && target.header != HeaderId::kOther) {
      if (((present_ >> k) & 1) == 0 || from > last_[k]) return SipMessage::npos;
      if (from <= first_[k]) return first_[k];
    }
    return Scan(message, target, from);
  }
  // Line `line`, of header `id`, was removed from `message`.
  void Removed(const SipMessage& message, size_t line, HeaderId id);
  // A line was added: rebuilt when next needed.
  void Invalidate() { built_ = false; }

 private:
  // Line numbers are 16-bit: enough for any real message, and (unlike bytes) stores to them
  // cannot alias the message's line vector, so the compiler keeps it in a register. Below
  // 2^15, so that they compare as signed 16-bit lanes too.
  static constexpr size_t kMaxLines = 32767;
  // Entries per array: one per HeaderId, rounded up to whole 8-lane vectors.
  static constexpr size_t kSlots = (static_cast<size_t>(HeaderId::kCount) + 7) / 8 * 8;

  size_t Scan(const SipMessage& message, const Target& target, size_t from);

  bool built_ = false;
  bool usable_ = false;
  uint64_t present_ = 0;
  // Per HeaderId with its bit in present_: its first and last line. Zero-initialized, so
  // that Removed() can update every entry, 8 at a time.
  std::array<uint16_t, kSlots> first_{};
  std::array<uint16_t, kSlots> last_{};
};

// The rules of a chain that can apply to one message: a bitset over ChainIndex::rules.
// Small chains keep it on the stack, so that a message no rule concerns costs no allocation.
class CandidateSet {
 public:
  static constexpr size_t npos = static_cast<size_t>(-1);

  // `lines` is the message's, built. With `all`, every rule is a candidate.
  CandidateSet(const ChainIndex& index, const SipMessage& message, const LineIndex& lines,
               bool all);
  CandidateSet(const CandidateSet&) = delete;
  CandidateSet& operator=(const CandidateSet&) = delete;

  // The first candidate at or after `from`, or npos.
  size_t Next(size_t from) const {
    size_t w = from / 64;
    if (w >= word_count_) return npos;
    uint64_t bits = words_[w] & (~uint64_t{0} << (from % 64));
    while (bits == 0) {
      if (++w >= word_count_) return npos;
      bits = words_[w];
    }
    return w * 64 + static_cast<size_t>(__builtin_ctzll(bits));
  }
  // Makes the rules of `rules` after `after` candidates (a header they need was added).
  void AddAfter(const std::vector<uint32_t>& rules, size_t after);
  bool Contains(size_t rule) const { return ((words_[rule / 64] >> (rule % 64)) & 1) != 0; }

 private:
  void Add(const std::vector<uint32_t>& rules);
  // Adds the rules of `rules` that have no gate, or whose gate's text is in `value`.
  void AddGated(const ChainIndex& index, const std::vector<uint32_t>& rules,
                std::string_view value);

  static constexpr size_t kInlineWords = 64;  // 4096 rules without touching the heap
  uint64_t inline_words_[kInlineWords];
  std::vector<uint64_t> heap_words_;
  uint64_t* words_ = nullptr;
  size_t word_count_ = 0;
};

}  // namespace smc::internal

#endif  // SMC_ENGINE_CHAIN_INDEX_H_
