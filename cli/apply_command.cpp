#include "apply_command.h"

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "exit_codes.h"
#include "input_file.h"
#include "line_ends.h"
#include "smc/diagnostic.h"
#include "smc/profile.h"
#include "smc/sip_message.h"

namespace smc::cli {
namespace {

// Compiles every profile file in order. Prints warnings (and errors) to `err`; returns the
// exit code to stop with, or kExitOk with `profiles` filled.
int CompileAll(const std::vector<std::string>& paths, std::vector<ProfilePtr>* profiles,
               std::ostream& err) {
  bool invalid = false;
  for (const std::string& path : paths) {
    std::string text;
    std::string reason;
    if (!ReadInput(path, &text, &reason)) {
      err << "smc: " << path << ": cannot read profile: " << reason << '\n';
      return kExitUsage;
    }
    CompileResult result = CompileProfiles(text, path);
    for (const Diagnostic& d : result.diagnostics) err << FormatDiagnostic(d) << '\n';
    if (!result.ok()) {
      invalid = true;
      continue;
    }
    profiles->insert(profiles->end(), result.profiles.begin(), result.profiles.end());
  }
  return invalid ? kExitInvalid : kExitOk;
}

void ExplainInput(const CrlfConversion& input, std::ostream& err) {
  if (!input.converted) return;
  err << "input: bare LF line ends converted to CRLF\n";
  if (input.content_length_fixed) {
    err << "input: Content-Length " << input.old_content_length << " -> "
        << input.new_content_length
        << " (it counted the body as typed with LF; it now counts the CRLF body)\n";
  }
}

void ExplainResult(const ApplyResult& result, std::ostream& err) {
  for (const RuleEvent& event : result.events) {
    const CompiledProfile& profile = *event.profile;
    err << "profile " << profile.id() << " \"" << profile.name() << "\" (" << profile.file()
        << ") rule " << event.rule_index << ": "
        << (!event.applied   ? "conditions did not hold"
            : event.changed ? "applied, changed the message"
                            : "applied, changed nothing")
        << '\n';
    for (const std::string& note : event.notes) err << "  " << note << '\n';
  }
  err << "result: " << result.rules_applied << (result.rules_applied == 1 ? " rule" : " rules")
      << " applied, message " << (result.changed ? "changed" : "unchanged");
  if (result.edits_refused > 0) {
    err << ", " << result.edits_refused << (result.edits_refused == 1 ? " edit" : " edits")
        << " refused";
  }
  err << '\n';
}

}  // namespace

CLI::App* AddApplyCommand(CLI::App& app, ApplyCommandOptions* options) {
  CLI::App* cmd = app.add_subcommand("apply", "Rewrite a SIP message with SMC profiles");
  cmd->footer(
      "The profiles are applied in the order given, as one list of rules; the message is\n"
      "printed on stdout with CRLF line ends. A message typed with LF line ends is\n"
      "converted to CRLF first, and its Content-Length with it when it counted the LF body.\n"
      "Exit status: 0 done, 1 a profile is invalid or the input is not a SIP message,\n"
      "2 usage error or a file that cannot be read.");
  cmd->add_option("-p,--profile", options->profiles,
                  "A profile file; repeat for several, applied in order")
      ->type_name("FILE")
      ->required()
      ->allow_extra_args(false);
  cmd->add_flag("--explain", options->explain,
                "Print to stderr which profile, rule and condition matched and what changed");
  cmd->add_option("message", options->message, "The SIP message, or - for standard input")
      ->type_name("MESSAGE_FILE|-")
      ->capture_default_str();
  return cmd;
}

int RunApply(const ApplyCommandOptions& options, std::ostream& out, std::ostream& err) {
  std::vector<ProfilePtr> profiles;
  if (int rc = CompileAll(options.profiles, &profiles, err); rc != kExitOk) return rc;

  std::string raw;
  std::string reason;
  if (!ReadInput(options.message, &raw, &reason)) {
    err << "smc: " << options.message << ": cannot read message: " << reason << '\n';
    return kExitUsage;
  }
  CrlfConversion input = ConvertBareLfToCrlf(raw);
  std::string parse_error;
  std::optional<SipMessage> message = SipMessage::Parse(input.text, &parse_error);
  if (!message) {
    err << "smc: " << options.message << ": not a SIP message: " << parse_error << '\n';
    return kExitInvalid;
  }

  ProfileChain chain(std::move(profiles));
  ApplyOptions engine_options;
  engine_options.explain = options.explain;
  engine_options.trace = options.explain;
  ApplyResult result = chain.Apply(*message, engine_options);

  if (options.explain) {
    ExplainInput(input, err);
    ExplainResult(result, err);
  }
  if (result.edits_refused > 0) {
    err << "smc: warning: " << result.edits_refused
        << (result.edits_refused == 1 ? " edit" : " edits")
        << " refused: it would have changed a From/To tag (the line was left as it was)\n";
  }

  std::string wire = message->Serialize();
  out.write(wire.data(), static_cast<std::streamsize>(wire.size()));
  out.flush();
  if (!out) {
    err << "smc: cannot write the message\n";
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace smc::cli
