#include "bench_inputs.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "smc/diagnostic.h"
#include "smc/sip_message.h"

namespace smc::bench {
namespace {

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string LfToCrlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out.push_back('\r');
    out.push_back(text[i]);
  }
  return out;
}

// A fixture must be a message the engine reproduces byte for byte when nothing edits it:
// otherwise its Content-Length is wrong (trailing bytes dropped) or it is not canonical CRLF,
// and the figures would be of a message no peer sends.
std::optional<std::string> LoadMessage(const std::string& path, std::string* error) {
  std::optional<std::string> text = ReadFile(path);
  if (!text) {
    *error = path + ": cannot read";
    return std::nullopt;
  }
  std::string wire = LfToCrlf(*text);
  std::string parse_error;
  std::optional<SipMessage> message = SipMessage::Parse(wire, &parse_error);
  if (!message) {
    *error = path + ": does not parse: " + parse_error;
    return std::nullopt;
  }
  if (message->Serialize() != wire) {
    *error = path + ": does not serialize back to itself (is its Content-Length the size of "
                    "the body with CRLF line ends?)";
    return std::nullopt;
  }
  return wire;
}

}  // namespace

std::optional<std::vector<ProfilePtr>> CompileText(std::string_view json_text,
                                                   const std::string& name, std::string* error) {
  CompileResult result = CompileProfiles(json_text, name);
  if (!result.ok()) {
    for (const Diagnostic& d : result.diagnostics) {
      if (d.severity == Severity::kError) {
        *error = FormatDiagnostic(d);
        break;
      }
    }
    return std::nullopt;
  }
  return std::move(result.profiles);
}

std::optional<BenchInputs> LoadBenchInputs(const std::string& fixture_dir,
                                           const std::string& profile_dir, std::string* error) {
  BenchInputs inputs;
  std::pair<const char*, std::string*> messages[] = {
      {"200-ok-invite.sip", &inputs.ok_200},
      {"invite.sip", &inputs.invite},
      {"bye.sip", &inputs.bye},
  };
  for (auto& [name, out] : messages) {
    std::optional<std::string> wire = LoadMessage(fixture_dir + "/" + name, error);
    if (!wire) return std::nullopt;
    *out = std::move(*wire);
  }
  for (const char* name : {"remove-update-from-allow.json", "halve-session-expires-1800.json",
                           "remove-session-expires.json"}) {
    const std::string path = profile_dir + "/vsxi/" + name;
    CompileResult result = CompileProfileFile(path);
    if (!result.ok() || result.profiles.empty()) {
      *error = path + ": does not compile";
      for (const Diagnostic& d : result.diagnostics) {
        if (d.severity == Severity::kError) {
          *error = FormatDiagnostic(d);
          break;
        }
      }
      return std::nullopt;
    }
    for (ProfilePtr& p : result.profiles) inputs.vsxi.push_back(std::move(p));
  }
  return inputs;
}

}  // namespace smc::bench
