#include "generated_profiles.h"

#include <nlohmann/json.hpp>

namespace smc::bench {
namespace {

using Json = nlohmann::ordered_json;

Json AppliedRule() {
  return {{"MsgType", "RESPONSE"},
          {"RspCodeList", "2xx"},
          {"Conditions", {{{"Header", "Server"}, {"Operator", "MATCHES"},
                           {"RightOperand", "^CarrierSBC/"}}}},
          {"Action", "REPLACE_MSG"},
          {"ReplaceDefs", {{{"ReplaceType", "REPLACE_LINES"}, {"Header", "Server"},
                            {"Output", "SBC"}}}}};
}

Json PresentHeaderRule(size_t index) {
  static constexpr const char* kPresent[] = {"Server", "Supported", "Contact",
                                             "P-Asserted-Identity", "Content-Type"};
  const std::string header = kPresent[(index / 50) % 5];
  const std::string tag = "vendor-" + std::to_string(index);
  return {{"MsgType", "ALL"},
          {"Conditions", {{{"Header", header}, {"Operator", "MATCHES"},
                           {"RightOperand", tag + "\\b"}}}},
          {"Action", "REPLACE_MSG"},
          {"ReplaceDefs", {{{"ReplaceType", "FINDSUB_LINES"}, {"Header", header},
                            {"Regex1", tag}, {"Output", "vendor"}}}}};
}

Json AbsentHeaderRule(size_t index, FillerRules filler) {
  const std::string header = "X-Vendor-" + std::to_string(index);
  if (filler == FillerRules::kUnconditional) {
    return {{"MsgType", "ALL"},
            {"Action", "REPLACE_MSG"},
            {"ReplaceDefs", {{{"ReplaceType", "DELETE_LINES"}, {"Header", header}}}}};
  }
  // Three spellings of "needs the header", as profiles write them.
  Json condition = {{"Header", header}};
  switch (index % 3) {
    case 0:
      condition["Operator"] = "EXISTS";
      break;
    case 1:
      condition["Operator"] = "NEQ";
      condition["RightOperand"] = "";
      break;
    default:
      condition["Operator"] = "MATCHES";
      condition["RightOperand"] = "secret=";
      break;
  }
  return {{"MsgType", "ALL"},
          {"Conditions", {condition}},
          {"Action", "REPLACE_MSG"},
          {"ReplaceDefs", {{{"ReplaceType", "FINDSUB_LINES"}, {"Header", header},
                            {"Regex1", "secret=[^;]*"}, {"Output", "secret=redacted"}}}}};
}

Json Profile(size_t id, const std::string& name, Json rules) {
  return {{"ProfileID", id}, {"ProfileName", name}, {"Rules", std::move(rules)}};
}

Json StripUpdate(size_t i) {
  return Json::array({{{"MsgType", "ALL"},
                       {"Conditions", {{{"Header", "Allow"}, {"Operator", "MATCHES"},
                                        {"RightOperand", "(?i)\\bUPDATE\\b"}}}},
                       {"Action", "REPLACE_MSG"},
                       {"ReplaceDefs",
                        {{{"ReplaceType", "DELETE_LINES"}, {"Header", "Allow"},
                          {"Regex1", "(?i)^UPDATE$"}},
                         {{"ReplaceType", "FINDSUB_LINES"}, {"Header", "Allow"},
                          {"Regex1", "(?i)^UPDATE\\s*,\\s*|\\s*,\\s*UPDATE\\b"},
                          {"Output", ""}}}}},
                      // What makes file i distinct: its own marker header.
                      {{"MsgType", "REQUEST"},
                       {"ReqMethod", "INVITE"},
                       {"Action", "REPLACE_MSG"},
                       {"ReplaceDefs", {{{"ReplaceType", "DELETE_LINES"},
                                         {"Header", "X-Peer-" + std::to_string(i)}}}}}});
}

Json HalveSessionExpires(size_t i) {
  const std::string floor = std::to_string(90 + i % 1000);
  return Json::array(
      {{{"MsgType", "RESPONSE"},
        {"RspCodeList", "2xx"},
        {"Conditions", {{{"Header", "Session-Expires"}, {"Regex1", "^[0-9]+"},
                         {"Operator", "GT"}, {"RightOperand", floor}}}},
        {"Action", "REPLACE_MSG"},
        {"ReplaceDefs", {{{"ReplaceType", "FINDSUB_LINES"}, {"Header", "Session-Expires"},
                          {"Regex1", "^[0-9]+"},
                          {"Numeric", {{"Divide", 2}, {"Min", 90 + i % 1000}}}}}}}});
}

Json StripVendorHeaders(size_t i) {
  return Json::array({{{"MsgType", "ALL"},
                       {"Action", "REPLACE_MSG"},
                       {"ReplaceDefs",
                        {{{"ReplaceType", "DELETE_LINES"}, {"Header", "User-Agent"}},
                         {{"ReplaceType", "DELETE_LINES"}, {"Header", "Server"}},
                         {{"ReplaceType", "DELETE_LINES"},
                          {"Header", "X-Vendor-" + std::to_string(i) + "-Id"}}}}}});
}

Json NormalizeNumbers(size_t i) {
  const std::string host = "trunk" + std::to_string(i) + "\\.example\\.net";
  return Json::array(
      {{{"MsgType", "REQUEST"},
        {"ReqMethod", "INVITE"},
        {"Conditions", {{{"Header", "To"}, {"Operator", "NOT_MATCHES"},
                         {"RightOperand", ";\\s*tag="}},
                        {{"Scope", "REQUEST_URI"}, {"Operator", "MATCHES"},
                         {"RightOperand", "@" + host}}}},
        {"Action", "REPLACE_MSG"},
        {"ReplaceDefs",
         {{{"ReplaceType", "FINDSUB_LINES"}, {"Scope", "REQUEST_URI"},
           {"Regex1", "^(sips?:|tel:)1?([2-9][0-9]{2}[2-9][0-9]{6})([@;]|$)"},
           {"Output", "\\1+1\\2\\3"}},
          {{"ReplaceType", "FINDSUB_LINES"}, {"Header", "To"},
           {"Regex1", "(sips?:|tel:)1?([2-9][0-9]{2}[2-9][0-9]{6})([@;>]|$)"},
           {"Output", "\\1+1\\2\\3"}}}}}});
}

Json AddHeader(size_t i) {
  return Json::array({{{"MsgType", "REQUEST"},
                       {"ReqMethod", "INVITE"},
                       {"Conditions", {{{"Header", "X-Trunk"}, {"Operator", "NOT_EXISTS"}}}},
                       {"Action", "REPLACE_MSG"},
                       {"ReplaceDefs", {{{"ReplaceType", "ADD_LINE"}, {"Header", "X-Trunk"},
                                         {"Output", "trunk-" + std::to_string(i)}}}}}});
}

}  // namespace

std::string RuleCountProfile(size_t rule_count, FillerRules filler) {
  Json rules = Json::array();
  for (size_t i = 0; i < rule_count; ++i) {
    if (i == rule_count / 2) {
      rules.push_back(AppliedRule());
    } else if (i % 50 == 49) {
      rules.push_back(PresentHeaderRule(i));
    } else {
      rules.push_back(AbsentHeaderRule(i, filler));
    }
  }
  return Profile(7000 + rule_count, std::to_string(rule_count) + " rules", std::move(rules))
      .dump();
}

size_t RulesHolding(size_t rule_count, FillerRules filler) {
  if (rule_count == 0) return 0;
  if (filler == FillerRules::kConditioned) return 1;
  size_t present = 0;
  for (size_t i = 0; i < rule_count; ++i) {
    if (i != rule_count / 2 && i % 50 == 49) ++present;
  }
  return rule_count - present;
}

std::vector<std::string> SmallProfileTexts(size_t count) {
  std::vector<std::string> texts;
  texts.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const size_t id = 10000 + i;
    const std::string suffix = " #" + std::to_string(i);
    Json profile;
    switch (i % 5) {
      case 0:
        profile = Profile(id, "Strip UPDATE" + suffix, StripUpdate(i));
        break;
      case 1:
        profile = Profile(id, "Halve Session-Expires" + suffix, HalveSessionExpires(i));
        break;
      case 2:
        profile = Profile(id, "Strip vendor headers" + suffix, StripVendorHeaders(i));
        break;
      case 3:
        profile = Profile(id, "Normalize numbers" + suffix, NormalizeNumbers(i));
        break;
      default:
        profile = Profile(id, "Tag the trunk" + suffix, AddHeader(i));
        break;
    }
    // Indented as a person would write the file: the compiler reads every byte of it.
    texts.push_back(profile.dump(2));
  }
  return texts;
}

}  // namespace smc::bench
