// Diagnostics: errors and warnings about an input file, returned as values.
#ifndef SMC_DIAGNOSTIC_H_
#define SMC_DIAGNOSTIC_H_

#include <string>
#include <vector>

namespace smc {

enum class Severity { kError, kWarning };

// 1-based line and column of a place in a source file; 0 means unknown.
struct SourcePos {
  int line = 0;
  int column = 0;
};

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string file;     // as given by the caller (path or "-")
  SourcePos pos;        // where the offending fragment starts
  std::string pointer;  // RFC 6901 JSON pointer of the fragment; "" is the whole document
  std::string message;  // what is wrong, naming the offending fragment
};

// One line: "FILE:LINE:COL: error|warning: JSON-POINTER: message".
// An empty pointer is written as "" so that the field count never changes.
std::string FormatDiagnostic(const Diagnostic& d);

// The same diagnostic as one JSON object (for `smc validate --format json`).
std::string DiagnosticToJson(const Diagnostic& d);

bool HasErrors(const std::vector<Diagnostic>& diagnostics);

// Under --strict every warning counts as an error: returns a copy with warnings promoted.
std::vector<Diagnostic> PromoteWarnings(std::vector<Diagnostic> diagnostics);

}  // namespace smc

#endif  // SMC_DIAGNOSTIC_H_
