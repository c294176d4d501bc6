// Any bytes as a profile file: the compiler must return diagnostics, never crash, and every
// diagnostic must point inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "smc/profile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  smc::CompileResult result = smc::CompileProfiles(text, "fuzz.json");
  if (!result.ok() && !result.profiles.empty()) std::abort();  // errors mean no profiles
  for (const smc::Diagnostic& d : result.diagnostics) {
    if (d.pos.line < 0 || d.pos.column < 0) std::abort();
    if (smc::FormatDiagnostic(d).empty()) std::abort();
  }
  return 0;
}
