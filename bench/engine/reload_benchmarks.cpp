// The reload target: a configuration of 1,000 profile files compiled and its trunks' chains
// built in under 100 ms.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "benchmarks.h"
#include "generated_profiles.h"
#include "smc/diagnostic.h"
#include "smc/profile.h"

namespace smc::bench {
namespace {

constexpr size_t kProfiles = 1000;
constexpr size_t kTrunks = 500;

struct Config {
  std::vector<std::string> texts;
  std::vector<std::string> names;  // "profiles/N.json", as diagnostics would name them
};

// Every profile of every file, in file order; empty when a file does not compile.
std::vector<ProfilePtr> CompileAll(const Config& config) {
  std::vector<ProfilePtr> all;
  all.reserve(config.texts.size());
  for (size_t i = 0; i < config.texts.size(); ++i) {
    CompileResult result = CompileProfiles(config.texts[i], config.names[i]);
    if (!result.ok()) return {};
    for (ProfilePtr& p : result.profiles) all.push_back(std::move(p));
  }
  return all;
}

// Trunk t: ingress = profiles 2t and 2t+1, egress = profile 2t+2 (so 1,000 chains, and
// each profile shared by one or two chains, as trunks share library profiles).
std::vector<ProfileChain> BuildChains(const std::vector<ProfilePtr>& profiles) {
  std::vector<ProfileChain> chains;
  chains.reserve(2 * kTrunks);
  for (size_t t = 0; t < kTrunks; ++t) {
    chains.emplace_back(std::vector<ProfilePtr>{profiles[2 * t], profiles[2 * t + 1]});
    chains.emplace_back(std::vector<ProfilePtr>{profiles[(2 * t + 2) % profiles.size()]});
  }
  return chains;
}

}  // namespace

bool RegisterReloadBenchmarks(std::string* error) {
  auto config = std::make_shared<Config>();
  config->texts = SmallProfileTexts(kProfiles);
  for (size_t i = 0; i < kProfiles; ++i) {
    config->names.push_back("profiles/" + std::to_string(i) + ".json");
  }
  const std::vector<ProfilePtr> checked = CompileAll(*config);
  if (checked.size() != kProfiles) {
    for (size_t i = 0; i < kProfiles; ++i) {
      CompileResult result = CompileProfiles(config->texts[i], config->names[i]);
      for (const Diagnostic& d : result.diagnostics) {
        if (d.severity == Severity::kError) {
          *error = FormatDiagnostic(d);
          return false;
        }
      }
    }
    *error = "the generated configuration does not hold 1000 profiles";
    return false;
  }

  benchmark::RegisterBenchmark("reload/1000_profiles/compile_and_build_chains",
                               [config](benchmark::State& state) {
                                 for (auto _ : state) {
                                   const std::vector<ProfilePtr> profiles = CompileAll(*config);
                                   if (profiles.size() != kProfiles) {
                                     state.SkipWithError("a generated profile no longer compiles");
                                     break;
                                   }
                                   std::vector<ProfileChain> chains = BuildChains(profiles);
                                   benchmark::DoNotOptimize(chains.data());
                                 }
                               })
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("reload/1000_profiles/compile",
                               [config](benchmark::State& state) {
                                 for (auto _ : state) {
                                   std::vector<ProfilePtr> profiles = CompileAll(*config);
                                   benchmark::DoNotOptimize(profiles.data());
                                 }
                               })
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("reload/1000_profiles/build_chains",
                               [profiles = checked](benchmark::State& state) {
                                 for (auto _ : state) {
                                   std::vector<ProfileChain> chains = BuildChains(profiles);
                                   benchmark::DoNotOptimize(chains.data());
                                 }
                               })
      ->Unit(benchmark::kMillisecond);
  return true;
}

}  // namespace smc::bench
