// Runs one compiled rule on a message: its message filter, its conditions over the lines of
// their targets, and its replace definitions, editing the message in place.
#ifndef SMC_ENGINE_RULE_EXECUTOR_H_
#define SMC_ENGINE_RULE_EXECUTOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "compiled_profile.h"
#include "rule_plan.h"
#include "smc/sip_message.h"

namespace smc::internal {

// What running defs needs across rules of one Apply(): reusable buffers (so that only the
// first edit of a message allocates) and what is reported back.
struct ExecState {
  std::vector<std::string>* notes = nullptr;  // --explain lines; null when not explaining
  uint32_t edits_refused = 0;
  std::string value;  // a rewritten line value
  std::string body;   // a rewritten body
};

// MsgType, ReqMethod (against the CSeq method for a response) and RspCodeList.
bool RuleFilterMatches(const Rule& rule, const SipMessage& message);

// Whether the condition holds on the message now. With `notes`, appends one line saying on
// what value it held or did not.
bool ConditionHolds(const ConditionPlan& plan, const SipMessage& message,
                    std::vector<std::string>* notes);

// What one replace definition did.
struct DefOutcome {
  bool changed = false;      // the message was edited
  bool added_header = false; // an ADD_LINE inserted a header line (of def.target)
};

DefOutcome RunReplaceDef(const DefPlan& plan, SipMessage& message, ExecState* state);

}  // namespace smc::internal

#endif  // SMC_ENGINE_RULE_EXECUTOR_H_
