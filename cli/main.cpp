// smc: validate SMC profiles and apply them to SIP messages.
#include <CLI/CLI.hpp>
#include <iostream>

#include "apply_command.h"
#include "exit_codes.h"
#include "validate_command.h"

int main(int argc, char** argv) {
  CLI::App app(
      "smc: check SIP Message Conversion (SMC) profiles, the Sansay VSXi format, and apply\n"
      "them to SIP messages. See docs/profiles.md for the format;\n"
      "`smc SUBCOMMAND --help` for the options of each subcommand.",
      "smc");
  app.set_version_flag("--version", std::string("smc ") + SMC_VERSION);
  app.require_subcommand(1);

  smc::cli::ValidateCommandOptions validate_options;
  CLI::App* validate = smc::cli::AddValidateCommand(app, &validate_options);
  smc::cli::ApplyCommandOptions apply_options;
  CLI::App* apply = smc::cli::AddApplyCommand(app, &apply_options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints help and --version itself (exit 0); every other parse error is a usage
    // error, whatever number CLI11 gives it.
    return app.exit(e) == 0 ? smc::cli::kExitOk : smc::cli::kExitUsage;
  }

  if (validate->parsed()) return smc::cli::RunValidate(validate_options, std::cout, std::cerr);
  if (apply->parsed()) return smc::cli::RunApply(apply_options, std::cout, std::cerr);
  return smc::cli::kExitUsage;
}
