// Runs one compiled rule on a message: its message filter, its conditions over the lines of
// their targets, and its replace definitions, editing the message in place.
#ifndef SMC_ENGINE_RULE_EXECUTOR_H_
#define SMC_ENGINE_RULE_EXECUTOR_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "chain_index.h"
#include "compiled_profile.h"
#include "rule_plan.h"
#include "smc/header_names.h"
#include "smc/sip_message.h"

namespace smc::internal {

// What running rules needs across rules of one Apply(): reusable buffers (so that only the
// first edit of a message allocates), what is known of the message, and what is reported
// back.
struct ExecState {
  std::vector<std::string>* notes = nullptr;  // --explain lines; null when not explaining
  uint32_t edits_refused = 0;
  std::string value;  // a rewritten line value
  std::string body;   // a rewritten body
  LineIndex lines;
  // The message's transaction method, read once (no rule edits the start line's method or
  // CSeq); kept by value, since edits may move the text it was read from.
  bool method_known = false;
  bool method_cached = false;  // false: longer than method_text, read again each time
  uint8_t method_length = 0;
  std::array<char, 24> method_text;
};

// MsgType, ReqMethod (against the CSeq method for a response) and RspCodeList.
bool RuleFilterMatches(const Rule& rule, const SipMessage& message, ExecState* state);

// ConditionHolds() for a condition on header lines, without notes.
bool HeaderConditionHolds(const ConditionPlan& plan, const SipMessage& message, ExecState* state);
// ConditionHolds() for any condition, with or without notes.
bool AnyConditionHolds(const ConditionPlan& plan, const SipMessage& message, ExecState* state);

// Whether the condition holds on the message now. With state->notes, appends one line
// saying on what value it held or did not.
inline bool ConditionHolds(const ConditionPlan& plan, const SipMessage& message,
                           ExecState* state) {
  // Nearly every condition evaluated is on header lines, without notes: one call.
  if (state->notes == nullptr && plan.header_target) {
    return HeaderConditionHolds(plan, message, state);
  }
  return AnyConditionHolds(plan, message, state);
}

// What one replace definition did.
struct DefOutcome {
  bool changed = false;      // the message was edited
  bool added_header = false; // an ADD_LINE inserted a header line (of def.target)
};

DefOutcome RunReplaceDef(const DefPlan& plan, SipMessage& message, ExecState* state);

}  // namespace smc::internal

#endif  // SMC_ENGINE_RULE_EXECUTOR_H_
