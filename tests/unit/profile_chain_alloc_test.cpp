// Apply() on a message that no rule touches allocates nothing: the proxy applies chains to
// every message it relays, and most of them are not concerned.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <new>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "smc/profile.h"
#include "smc/sip_message.h"

namespace {
// Counting every allocation of the process needs a replaced global operator new, and it a
// counter it can reach: this executable exists for that alone.
std::atomic<long> allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}
// Every form of delete frees with free(): all the forms of new above allocate with malloc()
// (std::stable_sort, for one, uses the nothrow form).
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace smc {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<ProfilePtr> CompileOk(const std::string& json) {
  CompileResult r = CompileProfiles(json, "test.json");
  EXPECT_TRUE(r.ok());
  return r.profiles;
}

ProfileChain VsxiPlusOthers() {
  std::vector<ProfilePtr> profiles;
  for (const char* file : {"remove-update-from-allow.json", "halve-session-expires-1800.json",
                           "remove-session-expires.json"}) {
    for (ProfilePtr& p : CompileOk(ReadFile(std::string(SMC_SOURCE_DIR) + "/profiles/vsxi/" + file))) {
      profiles.push_back(std::move(p));
    }
  }
  // Rules on headers these messages lack, on the Request-URI and on the body.
  for (ProfilePtr& p : CompileOk(R"([{"ProfileID": 2, "ProfileName": "others", "Rules": [
      {"Conditions": [{"Header": "X-Trunk", "Operator": "EQ", "RightOperand": "7"}],
       "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "DELETE_LINES", "Header": "X-Trunk"}]},
      {"Conditions": [{"Header": "P-Asserted-Identity", "Regex1": "sip:\\+1[0-9]+"}],
       "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "FINDSUB_LINES",
         "Header": "P-Asserted-Identity", "Regex1": "\\+1", "Output": ""}]},
      {"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType":
         "FINDSUB_LINES", "Scope": "REQUEST_URI", "Regex1": "^sip:00", "Output": "sip:+"}]},
      {"Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "FINDSUB_LINES",
         "Scope": "BODY", "Regex1": "^a=sendonly$", "Output": "a=sendrecv"}]}]}])")) {
    profiles.push_back(std::move(p));
  }
  return ProfileChain(std::move(profiles));
}

const char kBody[] =
    "v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n"
    "m=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";

std::string Message(const std::string& start_line, const std::string& headers) {
  return start_line + "\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\n"
         "From: <sip:a@10.0.0.1>;tag=1\r\nTo: <sip:b@10.0.0.2>;tag=2\r\nCall-ID: c@10.0.0.1\r\n"
         "CSeq: 7 INVITE\r\nContact: <sip:b@10.0.0.2>\r\n" + headers +
         "Content-Type: application/sdp\r\nContent-Length: " + std::to_string(sizeof(kBody) - 1) +
         "\r\n\r\n" + kBody;
}

TEST(ProfileChainAllocTest, UntouchedMessagesAllocateNothing) {
  const ProfileChain chain = VsxiPlusOthers();
  const std::vector<std::string> messages = {
      // Filters fail.
      Message("SIP/2.0 180 Ringing", "Allow: INVITE,ACK,UPDATE\r\nSession-Expires: 1800;refresher=uac\r\n"),
      // No rule's header is present.
      Message("SIP/2.0 200 OK", "Supported: timer\r\n"),
      // Conditions evaluated (with regexes) and failing.
      Message("SIP/2.0 200 OK", "Allow: INVITE,ACK,BYE\r\nMin-SE: 90\r\n"
                                "X-Trunk: 8\r\nP-Asserted-Identity: <sip:4420@h>\r\n"),
      // A request whose Request-URI and body the rules look at and leave.
      Message("INVITE sip:+15551230001@10.0.0.2 SIP/2.0", "Max-Forwards: 70\r\n"),
  };
  for (const std::string& wire : messages) {
    // The first Apply warms RE2's lazily built automata; the second must not allocate.
    std::optional<SipMessage> warm = SipMessage::Parse(wire);
    ASSERT_TRUE(warm.has_value()) << wire;
    chain.Apply(*warm);
    std::optional<SipMessage> m = SipMessage::Parse(wire);
    ASSERT_TRUE(m.has_value());

    const long before = allocations.load();
    const ApplyResult r = chain.Apply(*m);
    const long during = allocations.load() - before;

    EXPECT_EQ(during, 0) << wire;
    EXPECT_FALSE(r.changed) << wire;
    EXPECT_EQ(m->Serialize(), wire);
  }
}

TEST(ProfileChainAllocTest, CounterSeesAllocations) {
  // The measurement above means something only if allocations reach the counter.
  const long before = allocations.load();
  auto buffer = std::make_unique<std::vector<int>>(1000);
  EXPECT_GT(allocations.load() - before, 0);
  EXPECT_EQ(buffer->size(), 1000u);
}

}  // namespace
}  // namespace smc
