// `smc apply`: rewrites one SIP message with a sequence of profiles, as a trunk would.
#ifndef SMC_CLI_APPLY_COMMAND_H_
#define SMC_CLI_APPLY_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

namespace smc::cli {

struct ApplyCommandOptions {
  std::vector<std::string> profiles;  // applied in this order, as one ProfileChain
  std::string message = "-";          // a file, or "-" for standard input
  bool explain = false;
};

// Declares the subcommand on `app`; parsing fills `options`.
CLI::App* AddApplyCommand(CLI::App& app, ApplyCommandOptions* options);

// Compiles the profiles, reads and rewrites the message, writes it to `out` (CRLF line
// ends) and diagnostics, warnings and --explain lines to `err`. Returns the exit code.
int RunApply(const ApplyCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace smc::cli

#endif  // SMC_CLI_APPLY_COMMAND_H_
