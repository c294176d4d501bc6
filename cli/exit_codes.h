// Exit status of every smc subcommand.
#ifndef SMC_CLI_EXIT_CODES_H_
#define SMC_CLI_EXIT_CODES_H_

namespace smc::cli {

inline constexpr int kExitOk = 0;
// An input is wrong: an invalid profile, or a message that is not SIP.
inline constexpr int kExitInvalid = 1;
// The command line is wrong, or an input cannot be read or the output written.
inline constexpr int kExitUsage = 2;

}  // namespace smc::cli

#endif  // SMC_CLI_EXIT_CODES_H_
