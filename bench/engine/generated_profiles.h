// Profile texts generated in code, for the benchmarks that vary the number of rules or of
// profiles. Generated as JSON text and compiled with CompileProfiles, as a file would be.
#ifndef SMC_BENCH_ENGINE_GENERATED_PROFILES_H_
#define SMC_BENCH_ENGINE_GENERATED_PROFILES_H_

#include <cstddef>
#include <string>
#include <vector>

namespace smc::bench {

// What the rules that concern no header of the message look like.
enum class FillerRules {
  // A condition that needs an X-Vendor-N header present, and a rewrite of it: the chain's
  // index can skip such a rule without looking at it when the header is absent.
  kConditioned,
  // No condition, only DELETE_LINES of X-Vendor-N (the shape of the library's
  // strip-vendor-headers profile): every one of them has to look for its header.
  kUnconditional,
};

// One profile of `rule_count` rules, for fixtures/200-ok-invite.sip:
// - rule rule_count/2 applies: it rewrites the Server line of a 2xx;
// - one rule in 50 (index 49, 99, ...) names a header the message carries (Server,
//   Supported, Contact, P-Asserted-Identity, Content-Type in turn) with a MATCHES condition
//   that does not hold;
// - every other rule names X-Vendor-<index>, which the message does not carry.
std::string RuleCountProfile(size_t rule_count, FillerRules filler);

// How many rules of RuleCountProfile(rule_count, filler) hold on the 200 OK: the one that
// applies, plus with kUnconditional every filler rule (a rule without conditions holds,
// although deleting an absent header changes nothing).
size_t RulesHolding(size_t rule_count, FillerRules filler);

// The texts of `count` small profile files (one or two rules each), in five shapes taken
// from profiles/library (strip UPDATE, halve Session-Expires, strip vendor headers,
// normalise numbers, add a header), each made distinct by its index so that no two files
// compile the same regexes.
std::vector<std::string> SmallProfileTexts(size_t count);

}  // namespace smc::bench

#endif  // SMC_BENCH_ENGINE_GENERATED_PROFILES_H_
