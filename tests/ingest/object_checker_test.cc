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

}  // namespace
}  // namespace kizuna::ingest
