// Reading a whole input (a file, or standard input for "-") for the smc subcommands.
#ifndef SMC_CLI_INPUT_FILE_H_
#define SMC_CLI_INPUT_FILE_H_

#include <string>

namespace smc::cli {

// Reads all of `path` into `out`; "-" reads standard input. Returns false on failure with
// `error` set to the reason (the system's message, e.g. "No such file or directory").
bool ReadInput(const std::string& path, std::string* out, std::string* error);

}  // namespace smc::cli

#endif  // SMC_CLI_INPUT_FILE_H_
