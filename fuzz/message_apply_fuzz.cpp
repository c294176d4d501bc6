// Any bytes as a SIP message, through a fixed chain of profiles (the VSXi three and the
// library): parse, apply, serialize; then the output must parse again and re-serialize to
// the same bytes (the rewrite is stable), and applying the chain to it must not crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "smc/profile.h"
#include "smc/sip_message.h"

#ifndef SMC_SOURCE_DIR
#error "SMC_SOURCE_DIR must name the source tree"
#endif

namespace {

const smc::ProfileChain& Chain() {
  static const smc::ProfileChain* chain = [] {
    std::vector<smc::ProfilePtr> all;
    for (const char* f : {"profiles/vsxi/remove-update-from-allow.json",
                          "profiles/vsxi/halve-session-expires-1800.json",
                          "profiles/vsxi/remove-session-expires.json",
                          "profiles/library/strip-update-from-allow.json",
                          "profiles/library/halve-session-expires.json",
                          "profiles/library/normalize-e164.json"}) {
      smc::CompileResult r = smc::CompileProfileFile(std::string(SMC_SOURCE_DIR "/") + f);
      if (!r.ok()) std::abort();
      all.insert(all.end(), r.profiles.begin(), r.profiles.end());
    }
    return new smc::ProfileChain(std::move(all));
  }();
  return *chain;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto msg = smc::SipMessage::Parse(bytes);
  if (!msg) return 0;
  Chain().Apply(*msg);
  std::string out = msg->Serialize();
  std::string error;
  auto again = smc::SipMessage::Parse(out, &error);
  if (!again) std::abort();  // the engine wrote something it cannot read back
  if (again->Serialize() != out) std::abort();
  return 0;
}
