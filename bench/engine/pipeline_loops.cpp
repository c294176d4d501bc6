#include "pipeline_loops.h"

#include <optional>
#include <vector>

#include "smc/sip_message.h"

namespace smc::bench {
namespace {

// 256 copies of a ~1 KB message stay within a core's L2 cache, as a message being proxied
// is; each batch pays for one pause and one resume of the timers.
constexpr size_t kApplyBatch = 256;

}  // namespace

void ParseApplySerialize(benchmark::State& state, const ProfileChain& chain,
                         std::string_view wire) {
  std::string out;
  for (auto _ : state) {
    std::optional<SipMessage> message = SipMessage::Parse(wire);
    if (!message) {
      state.SkipWithError("the fixture no longer parses");
      break;
    }
    ApplyResult result = chain.Apply(*message);
    benchmark::DoNotOptimize(result.changed);
    out.clear();
    message->SerializeTo(&out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(wire.size()));
}

void ParseSerialize(benchmark::State& state, std::string_view wire) {
  std::string out;
  for (auto _ : state) {
    std::optional<SipMessage> message = SipMessage::Parse(wire);
    if (!message) {
      state.SkipWithError("the fixture no longer parses");
      break;
    }
    out.clear();
    message->SerializeTo(&out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(wire.size()));
}

void ParseOnly(benchmark::State& state, std::string_view wire) {
  for (auto _ : state) {
    std::optional<SipMessage> message = SipMessage::Parse(wire);
    if (!message) {
      state.SkipWithError("the fixture no longer parses");
      break;
    }
    benchmark::DoNotOptimize(message->header_count());
  }
  state.SetItemsProcessed(state.iterations());
}

void SerializeOnly(benchmark::State& state, const SipMessage& message) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    message.SerializeTo(&out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

void ApplyOnly(benchmark::State& state, const ProfileChain& chain, std::string_view wire,
               const ApplyOptions& options) {
  std::optional<SipMessage> parsed = SipMessage::Parse(wire);
  if (!parsed) {
    state.SkipWithError("the fixture no longer parses");
    return;
  }
  // One iteration is one Apply, so that the reported time is per message; the batch of
  // fresh copies is refilled, timers paused, whenever it is used up.
  std::vector<SipMessage> batch(kApplyBatch, *parsed);
  size_t next = kApplyBatch;
  for (auto _ : state) {
    if (next == kApplyBatch) {
      state.PauseTiming();
      for (SipMessage& message : batch) message = *parsed;
      next = 0;
      state.ResumeTiming();
    }
    ApplyResult result = chain.Apply(batch[next++], options);
    benchmark::DoNotOptimize(result.changed);
  }
  state.SetItemsProcessed(state.iterations());
}

bool CheckOutcome(const ProfileChain& chain, std::string_view wire, uint32_t rules_applied,
                  bool changed, const std::string& what, std::string* error) {
  std::optional<SipMessage> message = SipMessage::Parse(wire);
  if (!message) {
    *error = what + ": the message does not parse";
    return false;
  }
  const ApplyResult result = chain.Apply(*message);
  if (result.rules_applied != rules_applied || result.changed != changed) {
    *error = what + ": expected " + std::to_string(rules_applied) + " rule(s) applied and " +
             (changed ? "a change" : "no change") + ", got " +
             std::to_string(result.rules_applied) + " and " +
             (result.changed ? "a change" : "no change");
    return false;
  }
  return true;
}

}  // namespace smc::bench
