// SMC profiles: compile JSON into immutable rewriters, then apply them to SIP messages.
//
// Compile once (all regexes compiled with RE2 at that point), apply many times from any
// number of threads: a CompiledProfile and a ProfileChain are never modified after
// construction. See docs/profiles.md for the format and its semantics.
#ifndef SMC_PROFILE_H_
#define SMC_PROFILE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "smc/diagnostic.h"
#include "smc/sip_message.h"

namespace smc {

namespace internal {
struct ProfileData;  // the compiled form; defined in engine/src/compiled_profile.h
struct ChainIndex;
}  // namespace internal

class CompiledProfile {
 public:
  ~CompiledProfile();
  CompiledProfile(const CompiledProfile&) = delete;
  CompiledProfile& operator=(const CompiledProfile&) = delete;

  const std::string& id() const;    // ProfileID as text ("17", "100")
  const std::string& name() const;  // ProfileName
  const std::string& file() const;  // the file it was compiled from
  size_t rule_count() const;
  const internal::ProfileData& data() const { return *data_; }

  explicit CompiledProfile(std::unique_ptr<internal::ProfileData> data);

 private:
  std::unique_ptr<internal::ProfileData> data_;
};

using ProfilePtr = std::shared_ptr<const CompiledProfile>;

struct CompileOptions {
  // Treat warnings as errors (`smc validate --strict`). Default: off.
  bool strict = false;
};

struct CompileResult {
  std::vector<ProfilePtr> profiles;      // empty whenever diagnostics hold an error
  std::vector<Diagnostic> diagnostics;   // every problem found, in file order
  bool ok() const { return !HasErrors(diagnostics); }
};

// Compiles the text of one profile file: one profile object or an array of them.
// `file` is used only in diagnostics.
CompileResult CompileProfiles(std::string_view json_text, const std::string& file,
                              const CompileOptions& options = {});
// Reads and compiles a file; an unreadable file is one error diagnostic.
CompileResult CompileProfileFile(const std::string& path, const CompileOptions& options = {});

// What Apply() reports of each rule it looked at, when asked to.
struct RuleEvent {
  const CompiledProfile* profile = nullptr;
  uint32_t rule_index = 0;  // 0-based index in the profile's Rules
  bool applied = false;     // all conditions held and the action ran
  bool changed = false;     // the action changed the message
  // Human-readable lines for --explain: which condition held on which value, and each
  // change as "Header: old -> new". Filled only when ApplyOptions::explain is set.
  std::vector<std::string> notes;
};

struct ApplyOptions {
  // Record a RuleEvent for every rule whose message filter (MsgType, ReqMethod, RspCodeList)
  // matched. Default: off (Apply then records nothing and allocates nothing for tracing).
  bool trace = false;
  // Also fill RuleEvent::notes. Default: off. Implies trace.
  bool explain = false;
};

struct ApplyResult {
  bool changed = false;          // the message was modified
  uint32_t rules_applied = 0;    // rules whose conditions held
  // Edits refused at run time because they would have broken what identifies a dialog
  // (for example a From rewrite that would change its tag): they are not applied.
  uint32_t edits_refused = 0;
  std::vector<RuleEvent> events;  // only with ApplyOptions::trace or explain
};

// An ordered list of profiles applied one after the other: what a trunk direction uses.
// Each rule sees the edits of the rules before it. Building a chain indexes its rules by
// the headers they need, so that Apply() only looks at rules that can match.
class ProfileChain {
 public:
  ProfileChain();
  explicit ProfileChain(std::vector<ProfilePtr> profiles);
  ~ProfileChain();
  ProfileChain(ProfileChain&&) noexcept;
  ProfileChain& operator=(ProfileChain&&) noexcept;

  const std::vector<ProfilePtr>& profiles() const { return profiles_; }
  bool empty() const { return profiles_.empty(); }

  ApplyResult Apply(SipMessage& message, const ApplyOptions& options = {}) const;

 private:
  std::vector<ProfilePtr> profiles_;
  std::unique_ptr<internal::ChainIndex> index_;
};

}  // namespace smc

#endif  // SMC_PROFILE_H_
