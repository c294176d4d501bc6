#include "smc/sip_message.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace smc {
namespace {

constexpr char kSdp[] =
    "v=0\r\n"
    "o=alice 2890844526 2890844526 IN IP4 203.0.113.5\r\n"
    "s=-\r\n"
    "c=IN IP4 203.0.113.5\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/AVP 0 8 101\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n";

// Start line and header lines joined with CRLF, then `length_name: <body size>` when
// length_name is not empty, the blank line and the body.
std::string Build(std::initializer_list<std::string> lines, const std::string& body,
                  const std::string& length_name = "Content-Length") {
  std::string out;
  for (const std::string& line : lines) out += line + "\r\n";
  if (!length_name.empty()) out += length_name + ": " + std::to_string(body.size()) + "\r\n";
  out += "\r\n";
  out += body;
  return out;
}

std::string Invite() {
  return Build(
      {"INVITE sip:+15551234567@198.51.100.10:5060;user=phone SIP/2.0",
       "Via: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bK776asdhds", "Max-Forwards: 70",
       "To: <sip:+15551234567@198.51.100.10>",
       "From: \"Alice\" <sip:+15557654321@203.0.113.5>;tag=1928301774",
       "Call-ID: a84b4c76e66710@203.0.113.5", "CSeq: 314159 INVITE",
       "Contact: <sip:alice@203.0.113.5:5060>", "Allow: INVITE,ACK,CANCEL,BYE,UPDATE,OPTIONS",
       "Supported: timer, 100rel", "Session-Expires: 1800;refresher=uac", "Min-SE: 90",
       "Content-Type: application/sdp"},
      kSdp);
}

// A 200 OK the way real equipment writes them: compact and lower-case names, odd spacing
// around the colon, repeated lines.
std::string OddOk() {
  return Build({"SIP/2.0 200 OK",
                "v: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bKnashds8;received=192.0.2.3",
                "Via: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bK776asdhds",
                "f: \"Alice\" <sip:+15557654321@203.0.113.5>;tag=1928301774",
                "t: <sip:+15551234567@198.51.100.10>;tag=a6c85cf", "i: a84b4c76e66710@203.0.113.5",
                "cseq: 314159 INVITE", "m: <sip:bob@198.51.100.10:5060>",
                "Allow:INVITE,ACK,CANCEL,BYE", "Allow :  UPDATE , OPTIONS  ", "k: timer",
                "x:1800;refresher=uac", "Require: timer", "c: application/sdp"},
               kSdp, "l");
}

// The header section with bare LF line ends instead of CRLF (the body is left alone).
std::string WithLfHeaders(const std::string& message) {
  const size_t blank = message.find("\r\n\r\n");
  std::string head = message.substr(0, blank + 4);
  std::string out;
  for (size_t i = 0; i < head.size(); ++i) {
    if (head[i] == '\r' && i + 1 < head.size() && head[i + 1] == '\n') continue;
    out += head[i];
  }
  return out + message.substr(blank + 4);
}

SipMessage MustParse(const std::string& bytes) {
  std::string error;
  std::optional<SipMessage> msg = SipMessage::Parse(bytes, &error);
  EXPECT_TRUE(msg.has_value()) << error;
  if (!msg) return *SipMessage::Parse("OPTIONS sip:x SIP/2.0\r\n\r\n");
  return *msg;
}

// The reason Parse gives for refusing bytes, or "" when it accepts them.
std::string ParseError(const std::string& bytes) {
  std::string error;
  if (SipMessage::Parse(bytes, &error)) return "";
  EXPECT_FALSE(error.empty());
  EXPECT_EQ(error.find('\n'), std::string::npos) << "reason must be one line: " << error;
  return error;
}

// --- round trip ---

TEST(SipMessageRoundTripTest, InviteWithSdpIsByteIdentical) {
  const std::string bytes = Invite();
  const SipMessage msg = MustParse(bytes);
  EXPECT_FALSE(msg.modified());
  EXPECT_EQ(msg.Serialize(), bytes);
  EXPECT_EQ(msg.body(), kSdp);
  EXPECT_EQ(msg.header_count(), 13u);
}

TEST(SipMessageRoundTripTest, CompactNamesOddSpacingAndRepeatsSurvive) {
  const std::string bytes = OddOk();
  const SipMessage msg = MustParse(bytes);
  EXPECT_EQ(msg.Serialize(), bytes);
  EXPECT_EQ(msg.header_name(0), "v");
  EXPECT_EQ(msg.header_id(0), HeaderId::kVia);
  EXPECT_EQ(msg.header_id(1), HeaderId::kVia);
  ASSERT_EQ(msg.header_count(), 14u);
  EXPECT_EQ(msg.header_name(5), "cseq");
  EXPECT_EQ(msg.header_id(5), HeaderId::kCSeq);
  EXPECT_EQ(msg.header_name(7), "Allow");
  EXPECT_EQ(msg.header_value(7), "INVITE,ACK,CANCEL,BYE");
  EXPECT_EQ(msg.header_name(8), "Allow");
  EXPECT_EQ(msg.header_value(8), "UPDATE , OPTIONS");
  EXPECT_EQ(msg.header_name(10), "x");
  EXPECT_EQ(msg.header_id(10), HeaderId::kSessionExpires);
  EXPECT_EQ(msg.header_value(10), "1800;refresher=uac");
  EXPECT_EQ(msg.header_name(13), "l");
  EXPECT_EQ(msg.header_id(13), HeaderId::kContentLength);
  EXPECT_EQ(msg.header_value(13), std::to_string(sizeof(kSdp) - 1));
}

TEST(SipMessageRoundTripTest, BareLfHeaderLinesGetCrlfBodyUntouched) {
  // The body keeps its own line ends whatever they are.
  const std::string body = "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\n";
  const std::string crlf =
      Build({"INVITE sip:bob@example.com SIP/2.0", "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1",
             "CSeq: 1 INVITE", "Allow :  INVITE"},
            body);
  const std::string lf = WithLfHeaders(crlf);
  ASSERT_NE(lf, crlf);
  const SipMessage msg = MustParse(lf);
  EXPECT_EQ(msg.Serialize(), crlf);
  EXPECT_EQ(msg.body(), body);
  EXPECT_FALSE(msg.modified());
}

TEST(SipMessageRoundTripTest, MixedLineEndsAllBecomeCrlf) {
  const std::string expected = Build({"SIP/2.0 180 Ringing", "Via: a", "CSeq: 1 INVITE"}, "");
  const SipMessage msg =
      MustParse("SIP/2.0 180 Ringing\nVia: a\r\nCSeq: 1 INVITE\nContent-Length: 0\r\n\n");
  EXPECT_EQ(msg.Serialize(), expected);
}

TEST(SipMessageRoundTripTest, LeadingCrlfKeepAlivesAreSkipped) {
  const std::string bytes = Invite();
  const SipMessage msg = MustParse("\r\n\r\n" + bytes);
  EXPECT_EQ(msg.method(), "INVITE");
  EXPECT_EQ(msg.Serialize(), bytes);
}

TEST(SipMessageRoundTripTest, BytesBeyondContentLengthAreDropped) {
  const std::string bytes = Invite();
  const SipMessage msg = MustParse(bytes + "garbage after the body");
  EXPECT_EQ(msg.body(), kSdp);
  EXPECT_EQ(msg.Serialize(), bytes);
}

TEST(SipMessageRoundTripTest, WithoutContentLengthTheBodyIsTheRest) {
  const std::string bytes =
      Build({"SIP/2.0 200 OK", "CSeq: 2 INVITE", "Content-Type: application/sdp"}, kSdp,
            /*length_name=*/"");
  const SipMessage msg = MustParse(bytes);
  EXPECT_EQ(msg.body(), kSdp);
  EXPECT_FALSE(msg.HasHeader(HeaderId::kContentLength));
  EXPECT_EQ(msg.Serialize(), bytes);
}

TEST(SipMessageRoundTripTest, SerializeToAppends) {
  const SipMessage msg = MustParse(Invite());
  std::string out = "prefix|";
  msg.SerializeTo(&out);
  EXPECT_EQ(out, "prefix|" + Invite());
}

// --- start line ---

TEST(SipMessageStartLineTest, Request) {
  const SipMessage msg = MustParse(Invite());
  EXPECT_TRUE(msg.is_request());
  EXPECT_EQ(msg.method(), "INVITE");
  EXPECT_EQ(msg.request_uri(), "sip:+15551234567@198.51.100.10:5060;user=phone");
  EXPECT_EQ(msg.sip_version(), "SIP/2.0");
  EXPECT_EQ(msg.status_code(), 0);
  EXPECT_EQ(msg.reason_phrase(), "");
  EXPECT_EQ(msg.transaction_method(), "INVITE");
  EXPECT_EQ(msg.start_line(), "INVITE sip:+15551234567@198.51.100.10:5060;user=phone SIP/2.0");
}

TEST(SipMessageStartLineTest, Response) {
  const SipMessage msg = MustParse(OddOk());
  EXPECT_FALSE(msg.is_request());
  EXPECT_EQ(msg.status_code(), 200);
  EXPECT_EQ(msg.reason_phrase(), "OK");
  EXPECT_EQ(msg.sip_version(), "SIP/2.0");
  EXPECT_EQ(msg.method(), "");
  EXPECT_EQ(msg.request_uri(), "");
  // A response is about the method of its CSeq (here written "cseq").
  EXPECT_EQ(msg.transaction_method(), "INVITE");
}

TEST(SipMessageStartLineTest, ReasonPhraseWithSpacesOrEmpty) {
  SipMessage msg = MustParse(Build({"SIP/2.0 183 Session Progress", "CSeq: 7 INVITE"}, ""));
  EXPECT_EQ(msg.status_code(), 183);
  EXPECT_EQ(msg.reason_phrase(), "Session Progress");
  msg = MustParse(Build({"SIP/2.0 486", "CSeq: 7 INVITE"}, ""));
  EXPECT_EQ(msg.status_code(), 486);
  EXPECT_EQ(msg.reason_phrase(), "");
  msg = MustParse(Build({"SIP/2.0 603 ", "CSeq: 7 INVITE"}, ""));
  EXPECT_EQ(msg.status_code(), 603);
  EXPECT_EQ(msg.reason_phrase(), "");
}

TEST(SipMessageStartLineTest, VersionIsCaseInsensitiveAndKeptAsWritten) {
  const std::string bytes = Build({"BYE sip:bob@192.0.2.4 sip/2.0", "CSeq: 2 BYE"}, "");
  const SipMessage msg = MustParse(bytes);
  EXPECT_EQ(msg.sip_version(), "sip/2.0");
  EXPECT_EQ(msg.Serialize(), bytes);
}

TEST(SipMessageStartLineTest, TransactionMethodOfResponses) {
  EXPECT_EQ(MustParse(Build({"SIP/2.0 200 OK", "CSeq:   42   UPDATE"}, "")).transaction_method(),
            "UPDATE");
  EXPECT_EQ(MustParse(Build({"SIP/2.0 200 OK", "Via: a"}, "")).transaction_method(), "");
}

TEST(SipMessageStartLineTest, SetRequestUriRebuildsTheStartLine) {
  SipMessage msg = MustParse(Invite());
  ASSERT_TRUE(msg.SetRequestUri("sip:15551234567@10.0.0.1"));
  EXPECT_EQ(msg.request_uri(), "sip:15551234567@10.0.0.1");
  EXPECT_EQ(msg.method(), "INVITE");
  EXPECT_EQ(msg.sip_version(), "SIP/2.0");
  EXPECT_EQ(msg.start_line(), "INVITE sip:15551234567@10.0.0.1 SIP/2.0");
  EXPECT_TRUE(msg.modified());
  std::string expected = Invite();
  expected.replace(0, expected.find("\r\n"), "INVITE sip:15551234567@10.0.0.1 SIP/2.0");
  EXPECT_EQ(msg.Serialize(), expected);
  // A second edit may reuse text of the first.
  ASSERT_TRUE(msg.SetRequestUri(msg.request_uri().substr(0, 15)));
  EXPECT_EQ(msg.start_line(), "INVITE sip:15551234567 SIP/2.0");
}

// The message as Parse() returns it still has its spare room (a copy, as MustParse makes,
// does not): the new start line goes there, and the method and Request-URI must be read
// from there too (they once read "" after such a rewrite, as the proxy saw).
TEST(SipMessageStartLineTest, SetRequestUriInTheParseBuffersSpareRoom) {
  std::optional<SipMessage> msg = SipMessage::Parse(Invite());
  ASSERT_TRUE(msg.has_value());
  ASSERT_TRUE(msg->SetRequestUri("sip:15551234567@10.0.0.1"));
  EXPECT_EQ(msg->method(), "INVITE");
  EXPECT_EQ(msg->request_uri(), "sip:15551234567@10.0.0.1");
  EXPECT_EQ(msg->sip_version(), "SIP/2.0");
  EXPECT_EQ(msg->transaction_method(), "INVITE");
  EXPECT_EQ(msg->start_line(), "INVITE sip:15551234567@10.0.0.1 SIP/2.0");
  // A second rewrite while the first is in the spare room, then one too long for it.
  ASSERT_TRUE(msg->SetRequestUri("sip:alice@example.com"));
  EXPECT_EQ(msg->request_uri(), "sip:alice@example.com");
  const std::string long_uri = "sip:" + std::string(400, 'a') + "@example.com";
  ASSERT_TRUE(msg->SetRequestUri(long_uri));
  EXPECT_EQ(msg->method(), "INVITE");
  EXPECT_EQ(msg->request_uri(), long_uri);
  EXPECT_EQ(msg->Serialize().substr(0, msg->start_line().size()), msg->start_line());
}

TEST(SipMessageStartLineTest, SetRequestUriRefusals) {
  SipMessage msg = MustParse(Invite());
  const std::string before = msg.Serialize();
  EXPECT_FALSE(msg.SetRequestUri(""));
  EXPECT_FALSE(msg.SetRequestUri("sip:a@b SIP/2.0"));
  EXPECT_FALSE(msg.SetRequestUri("sip:a@b\tx"));
  EXPECT_FALSE(msg.SetRequestUri("sip:a@b\r\nVia: evil"));
  EXPECT_FALSE(msg.SetRequestUri(std::string("sip:a@b\0", 8)));
  EXPECT_FALSE(msg.modified());
  EXPECT_EQ(msg.Serialize(), before);

  SipMessage ok = MustParse(OddOk());
  EXPECT_FALSE(ok.SetRequestUri("sip:bob@example.com"));
  EXPECT_EQ(ok.Serialize(), OddOk());
}

// --- finding header lines ---

TEST(SipMessageFindTest, ByIdAndByNameIncludingCompactForms) {
  const SipMessage msg = MustParse(OddOk());
  EXPECT_EQ(msg.FindHeader(HeaderId::kVia), 0u);
  EXPECT_EQ(msg.FindHeader(HeaderId::kVia, 1), 1u);
  EXPECT_EQ(msg.FindHeader(HeaderId::kVia, 2), SipMessage::npos);
  EXPECT_EQ(msg.FindHeader("Session-Expires"), 10u);
  EXPECT_EQ(msg.FindHeader("session-expires:"), 10u);
  EXPECT_EQ(msg.FindHeader("x"), 10u);
  EXPECT_EQ(msg.FindHeader("CALL-ID"), 4u);
  EXPECT_EQ(msg.FindHeader("allow"), 7u);
  EXPECT_EQ(msg.FindHeader("allow", 8), 8u);
  EXPECT_EQ(msg.FindHeader("allow", 9), SipMessage::npos);
  EXPECT_EQ(msg.FindHeader("Min-SE"), SipMessage::npos);
  EXPECT_TRUE(msg.HasHeader(HeaderId::kRequire));
  EXPECT_FALSE(msg.HasHeader(HeaderId::kMinSE));
  EXPECT_EQ(msg.FindHeader(HeaderId::kSessionExpires, 1000), SipMessage::npos);
}

TEST(SipMessageFindTest, OtherHeadersByNameCaseInsensitively) {
  const SipMessage msg =
      MustParse(Build({"INVITE sip:bob@example.com SIP/2.0", "X-Trunk-Id: carrier-a",
                       "x-trunk-id: carrier-b", "X-Trunk: other", "CSeq: 1 INVITE"},
                      ""));
  EXPECT_EQ(msg.header_id(0), HeaderId::kOther);
  EXPECT_EQ(msg.FindHeader("X-TRUNK-ID"), 0u);
  EXPECT_EQ(msg.FindHeader("X-Trunk-Id", 1), 1u);
  EXPECT_EQ(msg.FindHeader("X-Trunk-Id", 2), SipMessage::npos);
  EXPECT_EQ(msg.FindHeader("x-trunk"), 2u);
  EXPECT_EQ(msg.FindHeader(" x-trunk-id: ", 1), 1u);
  EXPECT_EQ(msg.FindHeader("X-Trunk-I"), SipMessage::npos);
  EXPECT_EQ(msg.FindHeader(""), SipMessage::npos);
  EXPECT_EQ(msg.FindHeader(":"), SipMessage::npos);
}

TEST(SipMessageFindTest, HeaderLikeTextInTheBodyIsBody) {
  const std::string sipfrag = "SIP/2.0 200 OK\r\nSession-Expires: 90\r\nContent-Length: 0\r\n\r\n";
  const SipMessage msg = MustParse(Build({"NOTIFY sip:alice@203.0.113.5 SIP/2.0", "Event: refer",
                                          "CSeq: 5 NOTIFY", "Content-Type: message/sipfrag"},
                                         sipfrag));
  EXPECT_EQ(msg.body(), sipfrag);
  EXPECT_FALSE(msg.HasHeader(HeaderId::kSessionExpires));
  EXPECT_EQ(msg.header_count(), 4u);
  EXPECT_EQ(msg.header_value(msg.FindHeader(HeaderId::kContentLength)),
            std::to_string(sipfrag.size()));
}

// --- edits ---

TEST(SipMessageEditTest, SetHeaderValueKeepsTheNameAsWrittenAndOtherLinesVerbatim) {
  SipMessage msg = MustParse(OddOk());
  const size_t x = msg.FindHeader(HeaderId::kSessionExpires);
  ASSERT_TRUE(msg.SetHeaderValue(x, "900;refresher=uac"));
  EXPECT_EQ(msg.header_value(x), "900;refresher=uac");
  EXPECT_TRUE(msg.header_modified(x));
  EXPECT_FALSE(msg.header_modified(x - 1));
  EXPECT_TRUE(msg.modified());
  EXPECT_FALSE(msg.body_modified());
  std::string expected = OddOk();
  const std::string old_line = "x:1800;refresher=uac\r\n";
  expected.replace(expected.find(old_line), old_line.size(), "x: 900;refresher=uac\r\n");
  EXPECT_EQ(msg.Serialize(), expected);
}

TEST(SipMessageEditTest, EditedValueIsTrimmed) {
  SipMessage msg = MustParse(OddOk());
  ASSERT_TRUE(msg.SetHeaderValue(8, "  UPDATE\t"));
  EXPECT_EQ(msg.header_value(8), "UPDATE");
  EXPECT_NE(msg.Serialize().find("\r\nAllow: UPDATE\r\n"), std::string::npos);
}

TEST(SipMessageEditTest, SetHeaderValueRefusesLineBreaksAndNul) {
  SipMessage msg = MustParse(Invite());
  const size_t allow = msg.FindHeader(HeaderId::kAllow);
  EXPECT_FALSE(msg.SetHeaderValue(allow, "INVITE\r\nX-Injected: 1"));
  EXPECT_FALSE(msg.SetHeaderValue(allow, "INVITE\nX-Injected: 1"));
  EXPECT_FALSE(msg.SetHeaderValue(allow, "INVITE\rX"));
  EXPECT_FALSE(msg.SetHeaderValue(allow, std::string("INVITE\0ACK", 10)));
  EXPECT_FALSE(msg.SetHeaderValue(msg.header_count(), "x"));
  EXPECT_FALSE(msg.modified());
  EXPECT_EQ(msg.header_value(allow), "INVITE,ACK,CANCEL,BYE,UPDATE,OPTIONS");
  EXPECT_EQ(msg.Serialize(), Invite());
}

TEST(SipMessageEditTest, EmptyViewsAreValidValues) {
  SipMessage msg = MustParse(Invite());
  const size_t subject = msg.InsertHeader(1, "Subject", std::string_view());
  ASSERT_EQ(subject, 1u);
  EXPECT_TRUE(msg.SetHeaderValue(subject, std::string_view()));
  EXPECT_EQ(msg.header_value(subject), "");
  msg.SetBody(std::string_view());
  EXPECT_EQ(msg.body(), "");
  const SipMessage reparsed = MustParse(msg.Serialize());
  EXPECT_EQ(reparsed.header_name(1), "Subject");
  EXPECT_EQ(reparsed.header_value(1), "");
  EXPECT_EQ(reparsed.header_value(reparsed.FindHeader(HeaderId::kContentLength)), "0");
}

TEST(SipMessageEditTest, EditsOnABareLfMessageGiveCrlfEverywhere) {
  const std::string crlf = Invite();
  SipMessage msg = MustParse(WithLfHeaders(crlf));
  ASSERT_TRUE(msg.SetHeaderValue(msg.FindHeader(HeaderId::kMinSE), "120"));
  ASSERT_TRUE(msg.SetRequestUri("sip:+15551234567@10.0.0.1"));
  std::string expected = crlf;
  expected.replace(expected.find("Min-SE: 90"), 10, "Min-SE: 120");
  expected.replace(0, expected.find("\r\n"), "INVITE sip:+15551234567@10.0.0.1 SIP/2.0");
  EXPECT_EQ(msg.Serialize(), expected);
}

TEST(SipMessageEditTest, RemoveHeaderShiftsLaterIndices) {
  SipMessage msg = MustParse(OddOk());
  const size_t count = msg.header_count();
  msg.RemoveHeader(7);  // "Allow:INVITE,ACK,CANCEL,BYE"
  EXPECT_EQ(msg.header_count(), count - 1);
  EXPECT_EQ(msg.header_value(7), "UPDATE , OPTIONS");
  EXPECT_EQ(msg.FindHeader("x"), 9u);
  std::string expected = OddOk();
  const std::string line = "Allow:INVITE,ACK,CANCEL,BYE\r\n";
  expected.erase(expected.find(line), line.size());
  EXPECT_EQ(msg.Serialize(), expected);
  msg.RemoveHeader(msg.header_count());  // out of range: nothing happens
  EXPECT_EQ(msg.Serialize(), expected);
}

TEST(SipMessageEditTest, RemovingEverySessionExpiresLine) {
  SipMessage msg = MustParse(Build(
      {"SIP/2.0 200 OK", "CSeq: 1 INVITE", "Session-Expires: 1800", "x: 1800", "Require: timer"},
      ""));
  for (size_t i = msg.FindHeader(HeaderId::kSessionExpires); i != SipMessage::npos;
       i = msg.FindHeader(HeaderId::kSessionExpires, i)) {
    msg.RemoveHeader(i);
  }
  EXPECT_EQ(msg.Serialize(), Build({"SIP/2.0 200 OK", "CSeq: 1 INVITE", "Require: timer"}, ""));
}

TEST(SipMessageEditTest, InsertHeaderAtEachPosition) {
  SipMessage msg = MustParse(Build({"SIP/2.0 200 OK", "Via: a", "CSeq: 1 INVITE"}, ""));
  EXPECT_EQ(msg.InsertHeader(0, "Server", "smc"), 0u);
  EXPECT_EQ(msg.InsertHeader(2, "Session-Expires", " 900;refresher=uas "), 2u);
  const size_t last = msg.InsertHeader(msg.header_count(), "X-Last", "1");
  EXPECT_EQ(last, msg.header_count() - 1);
  const size_t beyond = msg.InsertHeader(1000, "X-Beyond", "2");
  EXPECT_EQ(beyond, msg.header_count() - 1);
  EXPECT_EQ(msg.header_id(0), HeaderId::kServer);
  EXPECT_EQ(msg.header_id(2), HeaderId::kSessionExpires);
  EXPECT_EQ(msg.header_value(2), "900;refresher=uas");
  EXPECT_TRUE(msg.header_modified(2));
  EXPECT_EQ(msg.FindHeader("x-last"), 5u);
  EXPECT_EQ(msg.Serialize(),
            Build({"SIP/2.0 200 OK", "Server: smc", "Via: a", "Session-Expires: 900;refresher=uas",
                   "CSeq: 1 INVITE", "Content-Length: 0", "X-Last: 1", "X-Beyond: 2"},
                  "", /*length_name=*/""));
}

TEST(SipMessageEditTest, InsertHeaderRefusesBadNamesAndValues) {
  SipMessage msg = MustParse(Invite());
  EXPECT_EQ(msg.InsertHeader(0, "", "x"), SipMessage::npos);
  EXPECT_EQ(msg.InsertHeader(0, "Bad Name", "x"), SipMessage::npos);
  EXPECT_EQ(msg.InsertHeader(0, "Allow:", "x"), SipMessage::npos);
  EXPECT_EQ(msg.InsertHeader(0, "X-A\r\nVia", "x"), SipMessage::npos);
  EXPECT_EQ(msg.InsertHeader(0, "X-\xc3\xa9", "x"), SipMessage::npos);
  EXPECT_EQ(msg.InsertHeader(0, "X-Ok", "a\r\nVia: evil"), SipMessage::npos);
  EXPECT_EQ(msg.InsertHeader(0, "X-Ok", std::string("a\0b", 3)), SipMessage::npos);
  EXPECT_FALSE(msg.modified());
  EXPECT_EQ(msg.Serialize(), Invite());
  // Every token character is allowed.
  EXPECT_EQ(msg.InsertHeader(0, "X-a.b!c%d*e_f+g`h'i~9", ""), 0u);
}

TEST(SipMessageEditTest, ValueTakenFromTheMessageItself) {
  SipMessage msg = MustParse(Invite());
  const size_t se = msg.FindHeader(HeaderId::kSessionExpires);
  const size_t minse = msg.FindHeader(HeaderId::kMinSE);
  ASSERT_TRUE(msg.SetHeaderValue(minse, "1800"));
  // Each store may grow the edit buffer while the value read from it is being copied.
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(msg.SetHeaderValue(se, msg.header_value(minse)));
    ASSERT_TRUE(msg.SetHeaderValue(minse, msg.header_value(se)));
  }
  EXPECT_EQ(msg.header_value(se), "1800");
  EXPECT_EQ(msg.header_value(minse), "1800");
  msg.SetBody(msg.body().substr(0, 4));
  EXPECT_EQ(msg.body(), "v=0\r");
  msg.SetBody(msg.body().substr(1));
  EXPECT_EQ(msg.body(), "=0\r");
}

TEST(SipMessageEditTest, CopiesAreIndependent) {
  SipMessage original = MustParse(Invite());
  const SipMessage copy = original;
  ASSERT_TRUE(original.SetHeaderValue(original.FindHeader(HeaderId::kMinSE), "120"));
  original.SetBody("v=0\r\n");
  EXPECT_EQ(copy.Serialize(), Invite());
  EXPECT_EQ(copy.header_value(copy.FindHeader(HeaderId::kMinSE)), "90");
  SipMessage copy_of_edited = original;
  EXPECT_EQ(copy_of_edited.Serialize(), original.Serialize());
  EXPECT_EQ(copy_of_edited.header_value(copy_of_edited.FindHeader(HeaderId::kMinSE)), "120");
}

// --- body and Content-Length ---

TEST(SipMessageBodyTest, SetBodyRewritesContentLength) {
  SipMessage msg = MustParse(Invite());
  const std::string sdp = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\n";
  msg.SetBody(sdp);
  EXPECT_TRUE(msg.body_modified());
  EXPECT_TRUE(msg.modified());
  EXPECT_EQ(msg.body(), sdp);
  std::string expected = Invite();
  expected.replace(expected.find("Content-Length: "), std::string::npos,
                   "Content-Length: " + std::to_string(sdp.size()) + "\r\n\r\n" + sdp);
  EXPECT_EQ(msg.Serialize(), expected);
  const SipMessage reparsed = MustParse(msg.Serialize());
  EXPECT_EQ(reparsed.body(), sdp);
}

TEST(SipMessageBodyTest, SetBodyKeepsCompactContentLengthName) {
  SipMessage msg = MustParse(OddOk());
  msg.SetBody("");
  std::string expected = OddOk();
  expected.replace(expected.find("\r\nl: ") + 2, std::string::npos, "l: 0\r\n\r\n");
  EXPECT_EQ(msg.Serialize(), expected);
}

TEST(SipMessageBodyTest, SetBodyAddsContentLengthWhenAbsent) {
  SipMessage msg =
      MustParse(Build({"SIP/2.0 200 OK", "CSeq: 2 INVITE", "Content-Type: application/sdp"}, "",
                      /*length_name=*/""));
  msg.SetBody(kSdp);
  EXPECT_EQ(msg.Serialize(),
            Build({"SIP/2.0 200 OK", "CSeq: 2 INVITE", "Content-Type: application/sdp"}, kSdp));
}

TEST(SipMessageBodyTest, HeaderEditsLeaveContentLengthAsItWas) {
  SipMessage msg = MustParse(Invite());
  ASSERT_NE(msg.InsertHeader(msg.header_count(), "X-Note", "a long value that changes size"),
            SipMessage::npos);
  const SipMessage reparsed = MustParse(msg.Serialize());
  EXPECT_EQ(reparsed.body(), kSdp);
  EXPECT_EQ(reparsed.header_value(reparsed.FindHeader(HeaderId::kContentLength)),
            std::to_string(sizeof(kSdp) - 1));
}

TEST(SipMessageBodyTest, SameContentLengthTwiceIsAccepted) {
  const SipMessage msg =
      MustParse(Build({"SIP/2.0 200 OK", "Content-Length: 4", "CSeq: 1 INVITE"}, "abcd", "l"));
  EXPECT_EQ(msg.body(), "abcd");
}

// --- folded lines ---

TEST(SipMessageFoldTest, ContinuationJoinedWithOneSpace) {
  const std::string bytes =
      Build({"INVITE sip:bob@example.com SIP/2.0", "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1",
             "Subject: I know you're there,", "   pick up the phone", "\tand talk to me!",
             "Allow: INVITE,", " \t", " ACK", "CSeq: 1 INVITE"},
            "");
  const SipMessage msg = MustParse(bytes);
  ASSERT_EQ(msg.header_count(), 5u);
  EXPECT_EQ(msg.header_name(1), "Subject");
  EXPECT_EQ(msg.header_value(1), "I know you're there, pick up the phone and talk to me!");
  EXPECT_EQ(msg.header_value(2), "INVITE, ACK");
  EXPECT_EQ(msg.header_id(3), HeaderId::kCSeq);
  EXPECT_EQ(msg.Serialize(), bytes);
}

TEST(SipMessageFoldTest, ValueStartingOnTheContinuationLine) {
  const SipMessage msg =
      MustParse(Build({"SIP/2.0 200 OK", "Subject:", "  hello", "CSeq: 1 INVITE"}, ""));
  EXPECT_EQ(msg.header_value(0), "hello");
}

TEST(SipMessageFoldTest, BareLfFoldsGetCrlf) {
  const std::string crlf =
      Build({"SIP/2.0 200 OK", "Supported: timer,", " 100rel", "CSeq: 1 INVITE"}, "");
  const SipMessage msg = MustParse(WithLfHeaders(crlf));
  EXPECT_EQ(msg.header_value(0), "timer, 100rel");
  EXPECT_EQ(msg.Serialize(), crlf);
}

TEST(SipMessageFoldTest, EditedFoldedLineBecomesOneLine) {
  SipMessage msg =
      MustParse(Build({"SIP/2.0 200 OK", "Supported: timer,", " 100rel", "CSeq: 1 INVITE"}, ""));
  ASSERT_TRUE(msg.SetHeaderValue(0, "100rel"));
  EXPECT_EQ(msg.Serialize(), Build({"SIP/2.0 200 OK", "Supported: 100rel", "CSeq: 1 INVITE"}, ""));
}

TEST(SipMessageFoldTest, FoldedContentLength) {
  const SipMessage msg =
      MustParse("SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\nContent-Length:\r\n 4\r\n\r\nabcdef");
  EXPECT_EQ(msg.body(), "abcd");
}

// --- parse errors ---

TEST(SipMessageParseErrorTest, EmptyInput) {
  EXPECT_NE(ParseError("").find("empty"), std::string::npos);
  EXPECT_NE(ParseError("\r\n\r\n").find("empty"), std::string::npos);
  EXPECT_FALSE(SipMessage::Parse("", nullptr).has_value());
}

TEST(SipMessageParseErrorTest, BadStartLines) {
  for (const char* line : {"HELLO", "INVITE sip:bob@example.com", "INVITE  SIP/2.0",
                           "INVITE sip:bob@example.com SIP/2.0 extra", " INVITE sip:b SIP/2.0",
                           "INV(ITE sip:bob@example.com SIP/2.0", "INVITE sip:bob HTTP/1.1",
                           "SIP/2.0", "SIP/2.0 20 OK", "SIP/2.0 2000 OK", "SIP/2.0 099 Low",
                           "SIP/2.0 700 High", "SIP/2.0 OK 200", "SIP/2.0\t200 OK"}) {
    const std::string error = ParseError(Build({line, "CSeq: 1 INVITE"}, ""));
    EXPECT_FALSE(error.empty()) << line;
    EXPECT_NE(error.find("line"), std::string::npos) << line << " -> " << error;
  }
}

TEST(SipMessageParseErrorTest, WrongSipVersionIsNamed) {
  std::string error =
      ParseError(Build({"INVITE sip:bob@example.com SIP/3.0", "CSeq: 1 INVITE"}, ""));
  EXPECT_NE(error.find("SIP/3.0"), std::string::npos) << error;
  EXPECT_NE(error.find("version"), std::string::npos) << error;
  error = ParseError(Build({"SIP/3.0 200 OK", "CSeq: 1 INVITE"}, ""));
  EXPECT_NE(error.find("SIP/3.0"), std::string::npos) << error;
  error = ParseError(Build({"SIP/1.0 200 OK", "CSeq: 1 INVITE"}, ""));
  EXPECT_NE(error.find("SIP/1.0"), std::string::npos) << error;
}

TEST(SipMessageParseErrorTest, StartLineWithoutLineEnd) {
  EXPECT_NE(ParseError("INVITE sip:bob@example.com SIP/2.0").find("line end"), std::string::npos);
}

TEST(SipMessageParseErrorTest, HeaderLineWithoutColon) {
  const std::string error = ParseError(
      Build({"INVITE sip:bob@example.com SIP/2.0", "CSeq: 1 INVITE", "Max-Forwards 70"}, ""));
  EXPECT_NE(error.find("colon"), std::string::npos) << error;
  EXPECT_NE(error.find("Max-Forwards 70"), std::string::npos) << error;
}

TEST(SipMessageParseErrorTest, HeaderNameNotAToken) {
  for (const char* line :
       {"Max Forwards: 70", ": 70", "Max(Forwards): 70", "X-\xc3\xa9t\xc3\xa9: 1", "Via;x: 1"}) {
    const std::string error =
        ParseError(Build({"INVITE sip:bob@example.com SIP/2.0", "CSeq: 1 INVITE", line}, ""));
    EXPECT_NE(error.find("token"), std::string::npos) << line << " -> " << error;
  }
}

TEST(SipMessageParseErrorTest, ContinuationBeforeFirstHeader) {
  const std::string error =
      ParseError("INVITE sip:bob@example.com SIP/2.0\r\n folded\r\nCSeq: 1 INVITE\r\n\r\n");
  EXPECT_NE(error.find("continuation"), std::string::npos) << error;
}

TEST(SipMessageParseErrorTest, BadContentLength) {
  for (const char* value : {"abc", "-5", "+5", "5 5", "0x10", "", "99999999999999999999",
                            "18446744073709551616", "4294967296"}) {
    const std::string error =
        ParseError("SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\nContent-Length: " + std::string(value) +
                   "\r\n\r\nbody");
    EXPECT_NE(error.find("Content-Length"), std::string::npos) << value << " -> " << error;
  }
}

TEST(SipMessageParseErrorTest, BodyShorterThanContentLength) {
  const std::string error =
      ParseError("SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\nContent-Length: 10\r\n\r\nshort");
  EXPECT_NE(error.find("shorter"), std::string::npos) << error;
  EXPECT_NE(error.find("10"), std::string::npos) << error;
}

TEST(SipMessageParseErrorTest, NoBlankLineEndingTheHeaders) {
  for (const char* bytes : {"SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\n",
                            "SIP/2.0 200 OK\r\nCSeq: 1 INVITE", "SIP/2.0 200 OK\r\n"}) {
    const std::string error = ParseError(bytes);
    EXPECT_NE(error.find("blank line"), std::string::npos) << error;
  }
}

TEST(SipMessageParseErrorTest, TwoDifferentContentLengths) {
  const std::string error =
      ParseError("SIP/2.0 200 OK\r\nContent-Length: 4\r\nCSeq: 1 INVITE\r\nl: 5\r\n\r\nabcde");
  EXPECT_NE(error.find("two different Content-Length"), std::string::npos) << error;
}

TEST(SipMessageParseErrorTest, BareCrOrNulInTheHeaderSection) {
  EXPECT_NE(ParseError("SIP/2.0 200 OK\r\nX-A: 1\rVia: 2\r\n\r\n").find("CR"), std::string::npos);
  EXPECT_NE(ParseError(std::string("SIP/2.0 200 OK\r\nX-A: 1\0\r\n\r\n", 27)).find("NUL"),
            std::string::npos);
  EXPECT_NE(ParseError("SIP/2.0 200 O\rK\r\n\r\n").find("CR"), std::string::npos);
}

TEST(SipMessageParseErrorTest, ErrorExcerptsAreShortAndPrintable) {
  const std::string error = ParseError("\x01\x02" + std::string(5000, 'A') + "\r\n\r\n");
  EXPECT_LT(error.size(), 300u);
  for (char c : error) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << static_cast<int>(c);
}

// --- robustness ---

// Parse never reads beyond its input (the sanitizer builds check that) and whatever it
// accepts serializes to bytes it accepts again, the same way.
void ExpectStableRoundTrip(const std::string& bytes) {
  const std::optional<SipMessage> first = SipMessage::Parse(bytes);
  if (!first) return;
  const std::string out = first->Serialize();
  std::string error;
  const std::optional<SipMessage> second = SipMessage::Parse(out, &error);
  ASSERT_TRUE(second.has_value()) << error;
  EXPECT_EQ(second->Serialize(), out);
  EXPECT_EQ(second->header_count(), first->header_count());
  EXPECT_EQ(second->body(), first->body());
  EXPECT_EQ(second->start_line(), first->start_line());
  for (size_t i = 0; i < first->header_count(); ++i) {
    EXPECT_EQ(second->header_name(i), first->header_name(i));
    EXPECT_EQ(second->header_value(i), first->header_value(i));
  }
}

TEST(SipMessageRobustnessTest, EveryPrefixOfAnInvite) {
  const std::string bytes = Invite();
  size_t accepted = 0;
  for (size_t len = 0; len <= bytes.size(); ++len) {
    // A heap copy of exactly len bytes, so that ASan catches a read past the end.
    const std::string prefix = bytes.substr(0, len);
    if (SipMessage::Parse(std::string_view(prefix.data(), len))) ++accepted;
    ExpectStableRoundTrip(prefix);
  }
  // Only the whole message (its body is Content-Length bytes) is complete.
  EXPECT_EQ(accepted, 1u);
}

TEST(SipMessageRobustnessTest, RandomMutationsOfRealMessages) {
  std::mt19937 rng(20240611);  // fixed seed: reproducible
  const std::string seeds[] = {Invite(), OddOk(), WithLfHeaders(OddOk())};
  static constexpr char kAlphabet[] = "\r\n \t:;,=0123456789aAxXlL-\0\x80\xff";
  const std::string alphabet(kAlphabet, sizeof(kAlphabet) - 1);
  for (const std::string& seed : seeds) {
    for (int round = 0; round < 2000; ++round) {
      std::string bytes = seed;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits && !bytes.empty(); ++e) {
        const size_t at = rng() % bytes.size();
        const char c = alphabet[rng() % alphabet.size()];
        switch (rng() % 3) {
          case 0:
            bytes[at] = c;
            break;
          case 1:
            bytes.insert(at, 1, c);
            break;
          default:
            bytes.erase(at, 1 + rng() % 8);
            break;
        }
      }
      ExpectStableRoundTrip(bytes);
      if (HasFailure()) return;
    }
  }
}

}  // namespace
}  // namespace smc
