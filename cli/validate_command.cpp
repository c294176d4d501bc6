#include "validate_command.h"

#include <CLI/CLI.hpp>

#include "exit_codes.h"
#include "input_file.h"
#include "smc/diagnostic.h"
#include "smc/profile.h"
#include "smc/proxy_config.h"

namespace smc::cli {
namespace {

// What checking one input produced. Each kind of input has its own Check function and
// reports the same way.
struct FileReport {
  std::vector<Diagnostic> diagnostics;
  bool unreadable = false;
};

// Reads `path` for a Check function; an unreadable file is reported as such.
bool ReadForCheck(const std::string& path, std::string* text, FileReport* report) {
  std::string reason;
  if (ReadInput(path, text, &reason)) return true;
  report->unreadable = true;
  report->diagnostics.push_back(
      Diagnostic{Severity::kError, path, SourcePos{}, "", "cannot read file: " + reason});
  return false;
}

FileReport CheckProfileFile(const std::string& path, bool strict) {
  FileReport report;
  std::string text;
  if (!ReadForCheck(path, &text, &report)) return report;
  CompileOptions options;
  options.strict = strict;
  report.diagnostics = CompileProfiles(text, path, options).diagnostics;
  return report;
}

FileReport CheckProxyConfigFile(const std::string& path, bool strict) {
  FileReport report;
  std::string text;  // read once here only to tell an unreadable file from an invalid one
  if (!ReadForCheck(path, &text, &report)) return report;
  ProxyConfigOptions options;
  options.strict = strict;
  report.diagnostics = ValidateProxyConfigFile(path, options);
  return report;
}

void PrintText(const std::vector<Diagnostic>& diagnostics, std::ostream& out) {
  for (const Diagnostic& d : diagnostics) out << FormatDiagnostic(d) << '\n';
}

void PrintJson(const std::vector<Diagnostic>& diagnostics, std::ostream& out) {
  if (diagnostics.empty()) {
    out << "[]\n";
    return;
  }
  out << "[\n";
  for (size_t i = 0; i < diagnostics.size(); ++i) {
    out << "  " << DiagnosticToJson(diagnostics[i]) << (i + 1 < diagnostics.size() ? ",\n" : "\n");
  }
  out << "]\n";
}

std::string Plural(size_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

}  // namespace

CLI::App* AddValidateCommand(CLI::App& app, ValidateCommandOptions* options) {
  CLI::App* cmd = app.add_subcommand("validate", "Check SMC profile files (and smc-proxy configurations)");
  cmd->footer(
      "Prints each problem on stdout as one line\n"
      "  FILE:LINE:COL: error|warning: JSON-POINTER: message\n"
      "and nothing there when every file is valid.\n"
      "Exit status: 0 every file valid (warnings allowed unless --strict), 1 a file is\n"
      "invalid, 2 usage error or a file that cannot be read.");
  cmd->add_flag("--strict", options->strict,
                "Treat warnings (unknown keys, ReqMethod holding status codes, a missing "
                "ProfileName, ...) as errors");
  cmd->add_option("--format", options->format,
                  "Output format: text (one line per diagnostic) or json (an array of objects)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--config", options->configs,
                  "An smc-proxy configuration file to check, with the profiles it names; "
                  "repeat for several")
      ->type_name("FILE")
      ->allow_extra_args(false);
  cmd->add_option("profiles", options->profiles, "Profile files to check (JSON)")
      ->type_name("PROFILE.json");
  return cmd;
}

int RunValidate(const ValidateCommandOptions& options, std::ostream& out, std::ostream& err) {
  if (options.profiles.empty() && options.configs.empty()) {
    err << "smc validate: nothing to validate: give PROFILE.json files or --config FILE\n";
    return kExitUsage;
  }
  std::vector<FileReport> reports;
  for (const std::string& path : options.configs) {
    reports.push_back(CheckProxyConfigFile(path, options.strict));
  }
  for (const std::string& path : options.profiles) {
    reports.push_back(CheckProfileFile(path, options.strict));
  }

  std::vector<Diagnostic> all;
  size_t unreadable = 0;
  size_t invalid = 0;
  for (FileReport& report : reports) {
    if (options.strict) report.diagnostics = PromoteWarnings(std::move(report.diagnostics));
    if (report.unreadable) {
      ++unreadable;
    } else if (HasErrors(report.diagnostics)) {
      ++invalid;
    }
    all.insert(all.end(), report.diagnostics.begin(), report.diagnostics.end());
  }

  if (options.format == "json") {
    PrintJson(all, out);
  } else {
    PrintText(all, out);
  }
  out.flush();

  size_t errors = 0;
  for (const Diagnostic& d : all) errors += d.severity == Severity::kError;
  if (!all.empty()) {
    err << "smc validate: " << Plural(reports.size(), "file") << ", "
        << invalid + unreadable << " invalid: " << Plural(errors, "error") << ", "
        << Plural(all.size() - errors, "warning") << '\n';
  }
  if (!out) {
    err << "smc validate: cannot write the diagnostics\n";
    return kExitUsage;
  }
  if (unreadable > 0) return kExitUsage;
  return invalid > 0 ? kExitInvalid : kExitOk;
}

}  // namespace smc::cli
