#include "tag_param.h"

namespace smc::internal {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsTagName(std::string_view name) {
  return name.size() == 3 && (name[0] | 0x20) == 't' && (name[1] | 0x20) == 'a' &&
         (name[2] | 0x20) == 'g';
}

}  // namespace

std::optional<std::string_view> TagParam(std::string_view value) {
  bool in_quotes = false;
  int angle_depth = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (in_quotes) {
      if (c == '\\') {
        ++i;  // quoted-pair
      } else if (c == '"') {
        in_quotes = false;
      }
      continue;
    }
    if (c == '"') {
      in_quotes = true;
    } else if (c == '<') {
      ++angle_depth;
    } else if (c == '>') {
      if (angle_depth > 0) --angle_depth;
    } else if (c == ';' && angle_depth == 0) {
      // A header parameter: name [= value], up to the next ';' (or ',' ending the value).
      size_t end = i + 1;
      while (end < value.size() && value[end] != ';' && value[end] != ',') ++end;
      const std::string_view param = value.substr(i + 1, end - i - 1);
      const size_t eq = param.find('=');
      const std::string_view name = Trim(param.substr(0, eq));
      if (IsTagName(name)) {
        if (eq == std::string_view::npos) return std::string_view();
        return Trim(param.substr(eq + 1));
      }
      i = end - 1;
    }
  }
  return std::nullopt;
}

}  // namespace smc::internal
