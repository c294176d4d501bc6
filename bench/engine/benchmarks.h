// The engine benchmarks, registered from main() with what they run on: each function checks
// that its chains do to its messages what its benchmarks' names say, and registers nothing
// (false, with the reason in *error) when they do not.
#ifndef SMC_BENCH_ENGINE_BENCHMARKS_H_
#define SMC_BENCH_ENGINE_BENCHMARKS_H_

#include <string>

#include "bench_inputs.h"

namespace smc::bench {

// vsxi/{200ok,invite}/... and untouched/bye/...: messages per second through the three
// VSXi profiles, against parse+serialize alone.
bool RegisterMessageBenchmarks(const BenchInputs& inputs, std::string* error);

// rules/{conditioned,unconditional}/{compile,build_chain,apply,parse_apply_serialize}/N
// for N = 1, 10, 100, 1000 rules of which few concern the 200 OK.
bool RegisterRuleCountBenchmarks(const BenchInputs& inputs, std::string* error);

// reload/1000_profiles/...: compiling 1,000 small profile files and building the chains of
// 500 trunks from them.
bool RegisterReloadBenchmarks(std::string* error);

}  // namespace smc::bench

#endif  // SMC_BENCH_ENGINE_BENCHMARKS_H_
