// smc_engine_bench: Google Benchmark's command line (--benchmark_filter, _repetitions, ...);
// fixtures and profiles are read from the source tree the binary was configured from.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <optional>
#include <string>

#include "bench_inputs.h"
#include "benchmarks.h"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  std::string error;
  std::optional<smc::bench::BenchInputs> inputs =
      smc::bench::LoadBenchInputs(SMC_BENCH_FIXTURE_DIR, SMC_PROFILE_DIR, &error);
  if (!inputs || !smc::bench::RegisterMessageBenchmarks(*inputs, &error) ||
      !smc::bench::RegisterRuleCountBenchmarks(*inputs, &error) ||
      !smc::bench::RegisterReloadBenchmarks(&error)) {
    std::fprintf(stderr, "smc_engine_bench: %s\n", error.c_str());
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
