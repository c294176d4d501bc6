#include "smc/header_names.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <utility>

namespace smc {
namespace {

TEST(LookupHeaderTest, EveryCanonicalNameRoundTrips) {
  for (int i = 1; i < static_cast<int>(HeaderId::kCount); ++i) {
    const HeaderId id = static_cast<HeaderId>(i);
    const std::string_view name = CanonicalHeaderName(id);
    ASSERT_FALSE(name.empty()) << "id " << i;
    EXPECT_EQ(LookupHeader(name), id) << name;
  }
}

TEST(LookupHeaderTest, CanonicalNamesAreDistinct) {
  for (int i = 1; i < static_cast<int>(HeaderId::kCount); ++i) {
    for (int j = i + 1; j < static_cast<int>(HeaderId::kCount); ++j) {
      EXPECT_NE(CanonicalHeaderName(static_cast<HeaderId>(i)),
                CanonicalHeaderName(static_cast<HeaderId>(j)));
    }
  }
}

TEST(LookupHeaderTest, SpellingsUsedOnTheWire) {
  EXPECT_EQ(CanonicalHeaderName(HeaderId::kSessionExpires), "Session-Expires");
  EXPECT_EQ(CanonicalHeaderName(HeaderId::kCallId), "Call-ID");
  EXPECT_EQ(CanonicalHeaderName(HeaderId::kCSeq), "CSeq");
  EXPECT_EQ(CanonicalHeaderName(HeaderId::kMinSE), "Min-SE");
  EXPECT_EQ(CanonicalHeaderName(HeaderId::kWWWAuthenticate), "WWW-Authenticate");
  EXPECT_EQ(CanonicalHeaderName(HeaderId::kPPreferredIdentity), "P-Preferred-Identity");
  EXPECT_EQ(CanonicalHeaderName(HeaderId::kOther), "");
  EXPECT_EQ(CanonicalHeaderName(HeaderId::kCount), "");
}

TEST(LookupHeaderTest, CaseInsensitive) {
  EXPECT_EQ(LookupHeader("session-expires"), HeaderId::kSessionExpires);
  EXPECT_EQ(LookupHeader("SESSION-EXPIRES"), HeaderId::kSessionExpires);
  EXPECT_EQ(LookupHeader("call-id"), HeaderId::kCallId);
  EXPECT_EQ(LookupHeader("CALL-ID"), HeaderId::kCallId);
  EXPECT_EQ(LookupHeader("cseq"), HeaderId::kCSeq);
  EXPECT_EQ(LookupHeader("min-se"), HeaderId::kMinSE);
  EXPECT_EQ(LookupHeader("www-authenticate"), HeaderId::kWWWAuthenticate);
  EXPECT_EQ(LookupHeader("p-asserted-identity"), HeaderId::kPAssertedIdentity);
}

TEST(LookupHeaderTest, EveryCompactForm) {
  const std::pair<const char*, HeaderId> compact[] = {
      {"a", HeaderId::kAcceptContact},
      {"b", HeaderId::kReferredBy},
      {"c", HeaderId::kContentType},
      {"d", HeaderId::kRequestDisposition},
      {"e", HeaderId::kContentEncoding},
      {"f", HeaderId::kFrom},
      {"i", HeaderId::kCallId},
      {"j", HeaderId::kRejectContact},
      {"k", HeaderId::kSupported},
      {"l", HeaderId::kContentLength},
      {"m", HeaderId::kContact},
      {"o", HeaderId::kEvent},
      {"r", HeaderId::kReferTo},
      {"s", HeaderId::kSubject},
      {"t", HeaderId::kTo},
      {"u", HeaderId::kAllowEvents},
      {"v", HeaderId::kVia},
      {"x", HeaderId::kSessionExpires},
      {"y", HeaderId::kIdentity},
  };
  for (const auto& [letter, id] : compact) {
    EXPECT_EQ(LookupHeader(letter), id) << letter;
    const std::string upper(1, static_cast<char>(letter[0] - 'a' + 'A'));
    EXPECT_EQ(LookupHeader(upper), id) << upper;
  }
}

TEST(LookupHeaderTest, LettersWithoutCompactFormAreOther) {
  for (const char* letter : {"g", "h", "n", "p", "q", "w", "z", "G", "Z", "1", "-"}) {
    EXPECT_EQ(LookupHeader(letter), HeaderId::kOther) << letter;
  }
}

TEST(LookupHeaderTest, WhiteSpaceAndOneTrailingColonIgnored) {
  EXPECT_EQ(LookupHeader("Allow:"), HeaderId::kAllow);
  EXPECT_EQ(LookupHeader("  Allow : "), HeaderId::kAllow);
  EXPECT_EQ(LookupHeader("\tx:"), HeaderId::kSessionExpires);
  EXPECT_EQ(LookupHeader("Session-Expires:"), HeaderId::kSessionExpires);
  // Only one colon is a separator; two make a name that is not a header.
  EXPECT_EQ(LookupHeader("Allow::"), HeaderId::kOther);
}

TEST(LookupHeaderTest, NearMissesAreOther) {
  EXPECT_EQ(LookupHeader(""), HeaderId::kOther);
  EXPECT_EQ(LookupHeader(":"), HeaderId::kOther);
  EXPECT_EQ(LookupHeader("X-Custom"), HeaderId::kOther);
  EXPECT_EQ(LookupHeader("Session-Expire"), HeaderId::kOther);
  EXPECT_EQ(LookupHeader("Session-Expiress"), HeaderId::kOther);
  EXPECT_EQ(LookupHeader("Session_Expires"), HeaderId::kOther);
  EXPECT_EQ(LookupHeader("Vias"), HeaderId::kOther);
  EXPECT_EQ(LookupHeader("P-Preferred-Identity-X"), HeaderId::kOther);
  EXPECT_EQ(LookupHeader("Content-Lengt\xc8"), HeaderId::kOther);
  // '-' and '\r' differ only in bit 0x20: a careless case fold would equate them.
  EXPECT_EQ(LookupHeader(std::string_view("Call\rID")), HeaderId::kOther);
  EXPECT_EQ(LookupHeader(std::string_view("Min\x0dSE")), HeaderId::kOther);
}

// Changing any one byte of a known name gives another name, unless the byte is the same
// letter in the other case.
TEST(LookupHeaderTest, OnlyCaseChangesKeepANameKnown) {
  for (int i = 1; i < static_cast<int>(HeaderId::kCount); ++i) {
    const HeaderId id = static_cast<HeaderId>(i);
    const std::string name(CanonicalHeaderName(id));
    for (size_t pos = 0; pos < name.size(); ++pos) {
      for (int b = 0; b < 256; ++b) {
        const char c = static_cast<char>(b);
        const bool at_edge = pos == 0 || pos + 1 == name.size();
        // White space and a colon at either end are trimmed, as documented.
        if (at_edge && (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ':')) continue;
        std::string changed = name;
        changed[pos] = c;
        const char original = name[pos];
        const bool same_letter =
            c == original || (std::isalpha(static_cast<unsigned char>(original)) &&
                              std::tolower(static_cast<unsigned char>(c)) ==
                                  std::tolower(static_cast<unsigned char>(original)) &&
                              std::isalpha(static_cast<unsigned char>(c)));
        ASSERT_EQ(LookupHeader(changed) == id, same_letter)
            << name << " with byte " << b << " at " << pos;
      }
    }
  }
}

TEST(SameHeaderNameTest, CompactAndFullAreTheSameHeader) {
  EXPECT_TRUE(SameHeaderName("x", "Session-Expires"));
  EXPECT_TRUE(SameHeaderName("Session-Expires:", "X"));
  EXPECT_TRUE(SameHeaderName("l", "content-length"));
  EXPECT_TRUE(SameHeaderName("i", "Call-ID"));
  EXPECT_FALSE(SameHeaderName("x", "Min-SE"));
  EXPECT_FALSE(SameHeaderName("Allow", "Allow-Events"));
  EXPECT_TRUE(SameHeaderName("u", "Allow-Events"));
}

TEST(SameHeaderNameTest, OtherNamesCompareCaseInsensitively) {
  EXPECT_TRUE(SameHeaderName("X-Trunk-Id", "x-trunk-id"));
  EXPECT_TRUE(SameHeaderName("X-Trunk-Id:", " X-TRUNK-ID "));
  EXPECT_FALSE(SameHeaderName("X-Trunk-Id", "X-Trunk-Ids"));
  EXPECT_FALSE(SameHeaderName("X-Trunk-Id", "Allow"));
  EXPECT_FALSE(SameHeaderName("q", "Q-X"));
  EXPECT_TRUE(SameHeaderName("q", "Q"));
}

TEST(SameHeaderNameTest, EmptyNamesNameNoHeader) {
  EXPECT_FALSE(SameHeaderName("", ""));
  EXPECT_FALSE(SameHeaderName(":", " "));
  EXPECT_FALSE(SameHeaderName("", "Allow"));
}

}  // namespace
}  // namespace smc
