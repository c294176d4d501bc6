// `smc validate`: checks profile files (and smc-proxy configurations) and prints every
// problem as a diagnostic line.
#ifndef SMC_CLI_VALIDATE_COMMAND_H_
#define SMC_CLI_VALIDATE_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

namespace smc::cli {

struct ValidateCommandOptions {
  bool strict = false;
  std::string format = "text";        // "text" or "json"
  std::vector<std::string> profiles;  // profile files, in the order given
  std::vector<std::string> configs;   // smc-proxy configuration files (--config)
};

// Declares the subcommand on `app`; parsing fills `options`.
CLI::App* AddValidateCommand(CLI::App& app, ValidateCommandOptions* options);

// Validates every file, writes the diagnostics to `out` and a summary to `err`, and returns
// the exit code: kExitUsage if any file could not be read, else kExitInvalid if any has an
// error (every warning is one under --strict), else kExitOk.
int RunValidate(const ValidateCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace smc::cli

#endif  // SMC_CLI_VALIDATE_COMMAND_H_
