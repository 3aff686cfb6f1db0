// Kizuna. The checks of every incoming object: STIX validation, and the STIX pattern of each
// indicator (STIX 2.1 §9: it MUST be valid).
#include "kizuna/ingest/object_checker.h"

#include <gtest/gtest.h>

#include "kizuna/base/strings.h"

namespace kizuna::ingest {
namespace {

constexpr char kId[] = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f";

std::string Indicator21(std::string_view pattern, std::string_view pattern_type = "stix") {
  return StrCat(R"({"type":"indicator","spec_version":"2.1","id":")", kId,
                R"(","created":"2016-01-01T00:00:00.000Z","modified":"2016-01-01T00:00:00.000Z",)"
                R"("pattern":")", pattern, R"(","pattern_type":")", pattern_type,
                R"(","valid_from":"2016-01-01T00:00:00Z"})");
}

std::string Indicator20(std::string_view pattern) {
  return StrCat(R"({"type":"indicator","id":")", kId,
                R"(","created":"2016-01-01T00:00:00.000Z","modified":"2016-01-01T00:00:00.000Z",)"
                R"("labels":["malicious-activity"],"pattern":")", pattern, R"(","valid_from":"2016-01-01T00:00:00Z"})");
}

std::string Error(std::string json) {
  ObjectChecker checker;
  absl::StatusOr<stix::ObjectIndex> index = checker.Check(json, stix::Padding::kAbsent);
  return index.ok() ? "" : std::string(index.status().message());
}

TEST(ObjectCheckerTest, ValidPatternsPass) {
  EXPECT_EQ(Error(Indicator21("[ipv4-addr:value = '198.51.100.1']")), "");
  EXPECT_EQ(Error(Indicator21("[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e'] WITHIN 60 SECONDS")), "");
  EXPECT_EQ(Error(Indicator20("[domain-name:value = 'evil.example']")), "");
}

TEST(ObjectCheckerTest, InvalidPatternsAreRefusedWithOffsetAndReason) {
  std::string broken = Error(Indicator21("[ipv4-addr:value = ]"));
  EXPECT_TRUE(broken.starts_with(StrCat(kId, ": pattern: offset 19: syntax: "))) << broken;
  std::string twice = Error(Indicator21("[ipv4-addr:value = '198.51.100.1'] WITHIN 5 SECONDS WITHIN 6 SECONDS"));
  EXPECT_NE(twice.find(": pattern: offset "), std::string::npos) << twice;
  EXPECT_NE(twice.find("duplicate-qualifier"), std::string::npos) << twice;
  std::string odd = Error(Indicator21("[artifact:payload_bin = h'abc']"));
  EXPECT_NE(odd.find(": pattern: offset "), std::string::npos) << odd;
  EXPECT_NE(Error(Indicator20("[domain-name:value = ")).find(": pattern: offset "), std::string::npos);
}

TEST(ObjectCheckerTest, OtherPatternLanguagesAreNotParsed) {
  EXPECT_EQ(Error(Indicator21("alert tcp any any -> any any (msg:\\\"x\\\";)", "snort")), "");
  EXPECT_EQ(Error(Indicator21("rule x { condition: true }", "yara")), "");
}

TEST(ObjectCheckerTest, StixErrorsComeFirst) {
  std::string missing = Error(R"({"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"})");
  EXPECT_TRUE(missing.starts_with(StrCat(kId, ": "))) << missing;
  EXPECT_EQ(missing.find("pattern: offset"), std::string::npos) << missing;
}


// A UUIDv5 names one value: another value under it would change what partners' references to
// that value resolve to. UUIDv4 ids, and the deterministic one, pass.
TEST(ObjectCheckerTest, AValueObservableWithTheUuidV5OfAnotherValueIsRefused) {
  auto sco = [](std::string_view type, std::string_view id, std::string_view value) {
    return StrCat(R"({"type":")", type, R"(","spec_version":"2.1","id":")", type, "--", id, R"(","value":")", value,
                  R"("})");
  };
  EXPECT_EQ(Error(sco("ipv4-addr", "28bb3599-77cd-5a82-a950-b5bc3caf07c4", "198.51.100.3")), "");
  EXPECT_EQ(Error(sco("ipv4-addr", "5a000000-0000-4000-8000-000000000001", "198.51.100.3")), "");
  std::string other = Error(sco("ipv4-addr", "28bb3599-77cd-5a82-a950-b5bc3caf07c4", "198.51.100.4"));
  EXPECT_TRUE(other.starts_with("ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4: id: a UUIDv5 that is not the one"))
      << other;
  EXPECT_NE(other.find("ipv4-addr--00f9d910-8d7b-53ca-abee-e556984ba08a"), std::string::npos) << "names the right id";
  EXPECT_NE(Error(sco("domain-name", "bedb4899-d24b-5401-bc86-8f6b4cc18ec7", "other.example")), "");
  EXPECT_EQ(Error(sco("domain-name", "bedb4899-d24b-5401-bc86-8f6b4cc18ec7", "example.com")), "");
  EXPECT_NE(Error(sco("url", "be22e93a-5e33-5678-b19f-8b4ea06df0bd", "https://other.example/")), "");
  std::string v20 = StrCat(R"({"type":"domain-name","spec_version":"2.0","id":"domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7",)",
                           R"("value":"other.example"})");
  EXPECT_NE(Error(v20), "") << "claiming STIX 2.0 does not skip the check";
}

}  // namespace
}  // namespace kizuna::ingest
