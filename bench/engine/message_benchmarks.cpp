// Messages per second per core through the three VSXi profiles.
#include <benchmark/benchmark.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "benchmarks.h"
#include "generated_profiles.h"
#include "pipeline_loops.h"
#include "smc/sip_message.h"

namespace smc::bench {
namespace {

using ChainPtr = std::shared_ptr<const ProfileChain>;

// Registers the full pipeline, its parse+serialize floor and Apply alone (without and with
// trace) for one message.
void RegisterTriple(const std::string& prefix, const ChainPtr& chain, const std::string& wire,
                    bool with_floor) {
  benchmark::RegisterBenchmark((prefix + "/parse_apply_serialize").c_str(),
                               [chain, wire](benchmark::State& state) {
                                 ParseApplySerialize(state, *chain, wire);
                               });
  benchmark::RegisterBenchmark((prefix + "/apply").c_str(),
                               [chain, wire](benchmark::State& state) {
                                 ApplyOnly(state, *chain, wire);
                               });
  // With trace on, as smc-proxy applies chains (its per-rule counters come from the events).
  benchmark::RegisterBenchmark((prefix + "/apply_traced").c_str(),
                               [chain, wire](benchmark::State& state) {
                                 ApplyOptions traced;
                                 traced.trace = true;
                                 ApplyOnly(state, *chain, wire, traced);
                               });
  if (!with_floor) return;
  benchmark::RegisterBenchmark((prefix + "/parse_serialize").c_str(),
                               [wire](benchmark::State& state) { ParseSerialize(state, wire); });
}

}  // namespace

bool RegisterMessageBenchmarks(const BenchInputs& inputs, std::string* error) {
  const ChainPtr vsxi = std::make_shared<const ProfileChain>(inputs.vsxi);

  // The figure the target is about: every profile rewrites this 200 OK (17 drops ",UPDATE",
  // 100 halves Session-Expires, 18 then deletes the line).
  if (!CheckOutcome(*vsxi, inputs.ok_200, 3, true, "vsxi on the 200 OK", error)) return false;
  RegisterTriple("vsxi/200ok", vsxi, inputs.ok_200, /*with_floor=*/true);
  // Where the time of the pipeline goes: its steps one by one (a rewritten message is
  // serialized line by line, an untouched one as one copy) ...
  const std::string& ok_200 = inputs.ok_200;
  benchmark::RegisterBenchmark("vsxi/200ok/parse",
                               [ok_200](benchmark::State& state) { ParseOnly(state, ok_200); });
  std::optional<SipMessage> parsed = SipMessage::Parse(ok_200);
  if (!parsed) {
    *error = "the 200 OK does not parse";
    return false;
  }
  auto untouched = std::make_shared<const SipMessage>(*parsed);
  auto rewritten = std::make_shared<SipMessage>(*parsed);
  vsxi->Apply(*rewritten);
  benchmark::RegisterBenchmark("vsxi/200ok/serialize_untouched",
                               [untouched](benchmark::State& state) {
                                 SerializeOnly(state, *untouched);
                               });
  benchmark::RegisterBenchmark("vsxi/200ok/serialize_rewritten",
                               [rewritten](benchmark::State& state) {
                                 SerializeOnly(state, *rewritten);
                               });
  // ... and each profile alone on the same message.
  for (const ProfilePtr& profile : inputs.vsxi) {
    const ChainPtr one = std::make_shared<const ProfileChain>(std::vector<ProfilePtr>{profile});
    const std::string what = "vsxi/200ok/apply/profile" + profile->id();
    if (!CheckOutcome(*one, inputs.ok_200, 1, true, what, error)) return false;
    benchmark::RegisterBenchmark(what.c_str(), [one, ok_200](benchmark::State& state) {
      ApplyOnly(state, *one, ok_200);
    });
  }

  // Every VSXi rule is for responses: the INVITE's Allow and Session-Expires make the rules
  // candidates, and their message filter turns them down.
  if (!CheckOutcome(*vsxi, inputs.invite, 0, false, "vsxi on the INVITE", error)) return false;
  RegisterTriple("vsxi/invite", vsxi, inputs.invite, /*with_floor=*/true);

  // A message that no rule touches: a BYE carries none of the headers the rules need, so no
  // rule is even a candidate; also with 1,000 rules indexed under headers it lacks.
  if (!CheckOutcome(*vsxi, inputs.bye, 0, false, "vsxi on the BYE", error)) return false;
  RegisterTriple("untouched/bye/vsxi", vsxi, inputs.bye, /*with_floor=*/true);
  std::optional<std::vector<ProfilePtr>> many =
      CompileText(RuleCountProfile(1000, FillerRules::kConditioned), "1000-rules.json", error);
  if (!many) return false;
  const ChainPtr many_chain = std::make_shared<const ProfileChain>(std::move(*many));
  if (!CheckOutcome(*many_chain, inputs.bye, 0, false, "1000 rules on the BYE", error)) {
    return false;
  }
  RegisterTriple("untouched/bye/rules1000", many_chain, inputs.bye, /*with_floor=*/false);
  return true;
}

}  // namespace smc::bench
