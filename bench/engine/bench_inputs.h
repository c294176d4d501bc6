// What the engine benchmarks run on: realistic messages as they arrive on the wire, and the
// profiles they are applied with, loaded once and checked before anything is measured.
#ifndef SMC_BENCH_ENGINE_BENCH_INPUTS_H_
#define SMC_BENCH_ENGINE_BENCH_INPUTS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smc/profile.h"

namespace smc::bench {

struct BenchInputs {
  std::string ok_200;  // 200 OK to an INVITE, with SDP, Allow ending in ",UPDATE" and
                       // Session-Expires: 1800;refresher=uac (all three VSXi profiles apply)
  std::string invite;  // initial INVITE with SDP and session-timer headers
  std::string bye;     // in-dialog BYE: no header any profile here looks at
  std::vector<ProfilePtr> vsxi;  // profiles 17, 100, 18: the order of profiles/smc-proxy.json
};

// Reads fixtures/*.sip (stored with LF line ends for editing; converted to CRLF, as on the
// wire) and compiles profiles/vsxi/*.json. On failure returns nullopt and a reason naming
// the file in *error.
std::optional<BenchInputs> LoadBenchInputs(const std::string& fixture_dir,
                                           const std::string& profile_dir, std::string* error);

// Compiles one profile file's text. On any error diagnostic returns nullopt and the first
// one, formatted, in *error.
std::optional<std::vector<ProfilePtr>> CompileText(std::string_view json_text,
                                                   const std::string& name, std::string* error);

}  // namespace smc::bench

#endif  // SMC_BENCH_ENGINE_BENCH_INPUTS_H_
