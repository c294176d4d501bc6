// The measured loops every message benchmark is made of, and the check that a chain does to
// a message what the benchmark claims before it is measured.
#ifndef SMC_BENCH_ENGINE_PIPELINE_LOOPS_H_
#define SMC_BENCH_ENGINE_PIPELINE_LOOPS_H_

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "smc/profile.h"
#include "smc/sip_message.h"

namespace smc::bench {

// What a proxy does to each message: Parse the wire bytes, Apply the chain, serialize into
// a buffer reused across messages. One item per message.
void ParseApplySerialize(benchmark::State& state, const ProfileChain& chain,
                         std::string_view wire);

// The same without Apply: the floor any profile work is added to.
void ParseSerialize(benchmark::State& state, std::string_view wire);

// Parse alone (the message is destroyed each iteration, as after forwarding).
void ParseOnly(benchmark::State& state, std::string_view wire);

// Serialize alone, into a reused buffer, of a message as it is (edited or not).
void SerializeOnly(benchmark::State& state, const SipMessage& message);

// Apply alone, on fresh copies of a message parsed beforehand. The copies are made with the
// timers paused, 256 at a time so that pausing costs little per message. `options` as
// Apply() takes them: with trace, what smc-proxy's per-rule counters cost.
void ApplyOnly(benchmark::State& state, const ProfileChain& chain, std::string_view wire,
               const ApplyOptions& options = {});

// Parses `wire`, applies `chain` once and checks the outcome the benchmark is named for.
// False with the reason in *error otherwise (a fixture or a profile that no longer does
// what the figures would be reported as).
bool CheckOutcome(const ProfileChain& chain, std::string_view wire, uint32_t rules_applied,
                  bool changed, const std::string& what, std::string* error);

}  // namespace smc::bench

#endif  // SMC_BENCH_ENGINE_PIPELINE_LOOPS_H_
