// What a chain costs as its rule count grows from 1 to 1,000 when few rules concern the
// message: compiling the rules, and applying them to the 200 OK.
#include <benchmark/benchmark.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "benchmarks.h"
#include "generated_profiles.h"
#include "pipeline_loops.h"

namespace smc::bench {
namespace {

constexpr size_t kRuleCounts[] = {1, 10, 100, 1000};

// CompileProfiles and the chain built from its profiles: what loading one file costs.
void Compile(benchmark::State& state, const std::string& text, size_t rule_count) {
  for (auto _ : state) {
    CompileResult result = CompileProfiles(text, "rules.json");
    if (!result.ok()) {
      state.SkipWithError("the generated profile no longer compiles");
      break;
    }
    ProfileChain chain(std::move(result.profiles));
    benchmark::DoNotOptimize(chain.profiles().data());
  }
  // Items are rules: items_per_second is rules compiled per second.
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(rule_count));
}

}  // namespace

bool RegisterRuleCountBenchmarks(const BenchInputs& inputs, std::string* error) {
  struct Shape {
    const char* name;
    FillerRules filler;
  };
  for (const Shape shape : {Shape{"conditioned", FillerRules::kConditioned},
                            Shape{"unconditional", FillerRules::kUnconditional}}) {
    const std::string prefix = std::string("rules/") + shape.name;
    for (const size_t n : kRuleCounts) {
      const std::string suffix = "/" + std::to_string(n);
      std::string text = RuleCountProfile(n, shape.filler);
      std::optional<std::vector<ProfilePtr>> profiles =
          CompileText(text, prefix + suffix + ".json", error);
      if (!profiles) return false;
      auto chain = std::make_shared<const ProfileChain>(*profiles);
      // One rule changes the message, whatever the count.
      if (!CheckOutcome(*chain, inputs.ok_200, RulesHolding(n, shape.filler), true,
                        prefix + suffix, error)) {
        return false;
      }

      benchmark::RegisterBenchmark((prefix + "/compile" + suffix).c_str(),
                                   [text, n](benchmark::State& state) {
                                     Compile(state, text, n);
                                   })
          ->Unit(benchmark::kMicrosecond);
      // The chain's share of the compile figure: indexing the rules by header.
      benchmark::RegisterBenchmark((prefix + "/build_chain" + suffix).c_str(),
                                   [profiles = std::move(*profiles)](benchmark::State& state) {
                                     for (auto _ : state) {
                                       ProfileChain built(profiles);
                                       benchmark::DoNotOptimize(built.profiles().data());
                                     }
                                   })
          ->Unit(benchmark::kMicrosecond);
      const std::string& wire = inputs.ok_200;
      benchmark::RegisterBenchmark((prefix + "/apply" + suffix).c_str(),
                                   [chain, wire](benchmark::State& state) {
                                     ApplyOnly(state, *chain, wire);
                                   });
      benchmark::RegisterBenchmark((prefix + "/parse_apply_serialize" + suffix).c_str(),
                                   [chain, wire](benchmark::State& state) {
                                     ParseApplySerialize(state, *chain, wire);
                                   });
    }
  }
  return true;
}

}  // namespace smc::bench
