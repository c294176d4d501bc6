// JSON parsing that remembers where every value and key came from, so that diagnostics can
// name a line and column. nlohmann_json has no positions; this parses with its SAX
// interface and tracks them alongside. Internal to smc (profile compiler, proxy config).
#ifndef SMC_ENGINE_LOCATED_JSON_H_
#define SMC_ENGINE_LOCATED_JSON_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "smc/diagnostic.h"

namespace smc::internal {

// A key that appeared a second time (same spelling, byte for byte) in one object. The
// parsed value keeps the FIRST occurrence; the later ones are recorded here, and their
// values are neither kept nor located.
struct DuplicateKey {
  std::string pointer;  // JSON pointer of the repeated member
  std::string key;      // the key as written
  SourcePos pos;        // where the repeated key starts
};

struct LocatedJson {
  nlohmann::json value;
  std::vector<DuplicateKey> duplicate_keys;  // in file order

  // Where the value at `pointer` (RFC 6901, "" for the root) starts: its first character.
  // {0, 0} when there is no such value.
  SourcePos ValuePos(const std::string& pointer) const;
  // Where the key of the object member at `pointer` starts (its opening quote).
  // {0, 0} when `pointer` is not an object member.
  SourcePos KeyPos(const std::string& pointer) const;

  std::unordered_map<std::string, SourcePos> value_pos;
  std::unordered_map<std::string, SourcePos> key_pos;
};

// Parses one JSON document (RFC 8259, no comments, an optional UTF-8 BOM). On a syntax
// error appends one error Diagnostic (where parsing stopped, nlohmann's message without its
// "[json.exception...] parse error at line L, column C: " prefix) and returns nullopt.
// `file` is used only in diagnostics; `diags` may be null.
std::optional<LocatedJson> ParseLocatedJson(std::string_view text, const std::string& file,
                                            std::vector<Diagnostic>* diags);

// `key` as one JSON pointer reference token: "~" -> "~0", "/" -> "~1".
std::string JsonPointerToken(std::string_view key);
// parent + "/" + token.
std::string JsonPointerAppend(const std::string& parent, std::string_view key);
std::string JsonPointerAppend(const std::string& parent, size_t index);

// 1-based line and byte column of `offset` in `text` (lines end at LF). An offset at or past
// the end is the position just after the last character.
SourcePos PositionOfOffset(std::string_view text, size_t offset);

}  // namespace smc::internal

#endif  // SMC_ENGINE_LOCATED_JSON_H_
