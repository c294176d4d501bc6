// A program outside the smc tree that uses the installed engine: compile a profile, apply it.
#include <smc/profile.h>
#include <smc/sip_message.h>

#include <iostream>

int main() {
  const char* profile = R"({"ProfileID": 1, "ProfileName": "strip UPDATE", "Rules": [
    {"MsgType": "RESPONSE", "RspCodeList": "200", "Action": "REPLACE_MSG",
     "ReplaceDefs": [{"ReplaceType": "FINDSUB_LINES", "Header": "Allow", "Regex1": ",UPDATE",
                      "Output": ""}]}]})";
  smc::CompileResult compiled = smc::CompileProfiles(profile, "inline.json");
  for (const auto& d : compiled.diagnostics) std::cerr << smc::FormatDiagnostic(d) << "\n";
  if (!compiled.ok()) return 1;
  std::string error;
  auto msg = smc::SipMessage::Parse(
      "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n"
      "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>;tag=2\r\nCall-ID: c1\r\n"
      "CSeq: 1 INVITE\r\nAllow: INVITE,ACK,UPDATE\r\nContent-Length: 0\r\n\r\n",
      &error);
  if (!msg) {
    std::cerr << error << "\n";
    return 1;
  }
  smc::ProfileChain chain(compiled.profiles);
  smc::ApplyResult result = chain.Apply(*msg);
  std::cout << msg->Serialize();
  return result.changed ? 0 : 1;
}
