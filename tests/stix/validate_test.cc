// Kizuna.
#include "kizuna/stix/validate.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "kizuna/base/file.h"
#include "kizuna/base/limits.h"
#include "kizuna/base/strings.h"

namespace kizuna::stix {
namespace {

constexpr uint64_t kMaxFixtureBytes = 64 * 1024 * 1024;
const std::string kTestData = KIZUNA_TEST_DATA;
const std::string kSharedData = KIZUNA_SHARED_DATA;

// IndexObject, then ValidateObject: what import does with every object.
absl::Status Check(simdjson::dom::object object) {
  absl::StatusOr<ObjectIndex> index = IndexObject(object);
  if (!index.ok()) return index.status();
  return ValidateObject(object, *index);
}

absl::Status CheckText(std::string_view json, size_t max_depth = simdjson::DEFAULT_MAX_DEPTH) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  if (parser.allocate(padded.size(), max_depth) != simdjson::SUCCESS) {
    return absl::InternalError("allocate");
  }
  simdjson::dom::object object;
  if (parser.parse(padded).get_object().get(object) != simdjson::SUCCESS) {
    return absl::InternalError("test JSON does not parse to an object");
  }
  return Check(object);
}

std::string_view IdOf(simdjson::dom::element object) {
  std::string_view id;
  return object["id"].get_string().get(id) == simdjson::SUCCESS ? id : std::string_view();
}

// Parses a fixture file; the parser must outlive the returned element.
simdjson::dom::element Load(simdjson::dom::parser& parser, const std::string& path) {
  absl::StatusOr<simdjson::padded_string> text = ReadFile(path, kMaxFixtureBytes);
  EXPECT_TRUE(text.ok()) << text.status();
  if (!text.ok()) return {};
  simdjson::dom::element root;
  EXPECT_EQ(parser.parse(*text).get(root), simdjson::SUCCESS) << path;
  return root;
}

// Validates every object of a bundle file; returns the number of objects and adds each
// failure to `failures`.
size_t CheckBundle(const std::string& path, std::vector<std::string>& failures,
                   std::map<std::string, int>* types = nullptr) {
  simdjson::dom::parser parser;
  simdjson::dom::element root = Load(parser, path);
  simdjson::dom::array objects;
  if (root["objects"].get_array().get(objects) != simdjson::SUCCESS) {
    ADD_FAILURE() << path << ": no objects list";
    return 0;
  }
  size_t n = 0;
  for (simdjson::dom::element item : objects) {
    ++n;
    absl::Status status = Check(item.get_object().value_unsafe());
    if (!status.ok()) failures.push_back(std::string(status.message()));
    std::string_view type;
    if (types && item["type"].get_string().get(type) == simdjson::SUCCESS)
      (*types)[std::string(type)]++;
  }
  return n;
}

// ----- The specification's own examples -----------------------------------------------------

TEST(ValidateTest, SpecificationExamplesValidate) {
  std::set<std::string> types;
  size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kTestData + "/stix21-examples")) {
    std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".json" || name == "spec-violations.json") continue;
    simdjson::dom::parser parser;
    simdjson::dom::element root = Load(parser, entry.path().string());
    size_t i = 0;
    simdjson::dom::array items = root.get_array().value_unsafe();
    for (simdjson::dom::element item : items) {
      absl::Status status = Check(item.get_object().value_unsafe());
      EXPECT_TRUE(status.ok()) << name << "[" << i << "]: " << status;
      std::string_view type;
      if (item["type"].get_string().get(type) == simdjson::SUCCESS) types.insert(std::string(type));
      ++i;
      ++count;
    }
  }
  EXPECT_GE(count, 170u);
  // Every type of the standard has an example that validates, except artifact: both of its
  // examples elide payload_bin (see spec-violations.json and the README).
  for (std::string_view type : {"attack-pattern",
                                "campaign",
                                "course-of-action",
                                "grouping",
                                "identity",
                                "incident",
                                "indicator",
                                "infrastructure",
                                "intrusion-set",
                                "location",
                                "malware",
                                "malware-analysis",
                                "note",
                                "observed-data",
                                "opinion",
                                "report",
                                "threat-actor",
                                "tool",
                                "vulnerability",
                                "relationship",
                                "sighting",
                                "autonomous-system",
                                "directory",
                                "domain-name",
                                "email-addr",
                                "email-message",
                                "file",
                                "ipv4-addr",
                                "ipv6-addr",
                                "mac-addr",
                                "mutex",
                                "network-traffic",
                                "process",
                                "software",
                                "url",
                                "user-account",
                                "windows-registry-key",
                                "x509-certificate",
                                "language-content",
                                "marking-definition",
                                "extension-definition"}) {
    EXPECT_TRUE(types.count(std::string(type))) << "no example of " << type;
  }
}

TEST(ValidateTest, SpecificationExamplesThatBreakItsOwnRules) {
  simdjson::dom::parser parser;
  simdjson::dom::element root = Load(parser, kTestData + "/stix21-examples/spec-violations.json");
  size_t count = 0;
  simdjson::dom::array items = root.get_array().value_unsafe();
  for (simdjson::dom::element item : items) {
    std::string_view section = item["section"].get_string().value_unsafe();
    std::string_view expect = item["expect"].get_string().value_unsafe();
    simdjson::dom::element object = item["object"].value_unsafe();
    absl::Status status = Check(object.get_object().value_unsafe());
    ++count;
    SCOPED_TRACE(StrCat("section ", section));
    ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    std::string_view message = View(status.message());
    EXPECT_NE(message.find(expect), std::string_view::npos) << message;
    if (!IdOf(object).empty()) {
      EXPECT_EQ(message.find(IdOf(object)), 0u) << message;
    }
  }
  EXPECT_EQ(count, 12u);
}

// ----- One case per rule (tests/data/validate-cases/cases.json) -----------------------------

TEST(ValidateTest, RuleCases) {
  simdjson::dom::parser parser;
  simdjson::dom::element root = Load(parser, kTestData + "/validate-cases/cases.json");
  size_t valid = 0, invalid = 0;
  simdjson::dom::array items = root.get_array().value_unsafe();
  for (simdjson::dom::element item : items) {
    std::string_view name = item["name"].get_string().value_unsafe();
    SCOPED_TRACE(name);
    absl::Status status;
    std::string id;
    std::string_view text;
    if (item["text"].get_string().get(text) == simdjson::SUCCESS) {
      status = CheckText(text);
      simdjson::dom::parser text_parser;
      simdjson::padded_string padded(text);
      simdjson::dom::element object;
      if (text_parser.parse(padded).get(object) == simdjson::SUCCESS) id = IdOf(object);
    } else {
      simdjson::dom::element object = item["object"].value_unsafe();
      status = Check(object.get_object().value_unsafe());
      id = IdOf(object);
    }
    simdjson::dom::object error;
    if (item["error"].get_object().get(error) != simdjson::SUCCESS) {
      EXPECT_TRUE(status.ok()) << status;
      ++valid;
      continue;
    }
    ++invalid;
    ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    std::string_view message = View(status.message());
    std::string_view path = error["path"].get_string().value_unsafe();
    std::string_view what = error["what"].get_string().value_unsafe();
    bool prefix = error["path_is_prefix"].is_bool();
    size_t colon = message.find(": ");
    ASSERT_NE(colon, std::string_view::npos) << message;
    EXPECT_EQ(message.substr(0, colon), id) << message;
    std::string expected_path = StrCat(path, prefix ? "" : ": ");
    EXPECT_EQ(message.substr(colon + 2, expected_path.size()), expected_path) << message;
    EXPECT_NE(message.find(what), std::string_view::npos) << message;
  }
  EXPECT_GE(valid, 40u);
  EXPECT_GE(invalid, 170u);
}

// ----- Real data: MITRE ATT&CK for ICS ------------------------------------------------------

TEST(ValidateTest, AttackSliceValidates) {
  std::vector<std::string> failures;
  std::map<std::string, int> types;
  size_t n = CheckBundle(kTestData + "/attack-slice.json", failures, &types);
  EXPECT_EQ(n, 42u);
  EXPECT_TRUE(failures.empty()) << failures.size() << " failures, first: " << failures.front();
  EXPECT_GT(types["x-mitre-tactic"], 0);
  EXPECT_GT(types["x-mitre-matrix"], 0);
}

TEST(ValidateTest, AttackIcsReleasesValidate) {
  std::string dir = kSharedData + "/attack";
  if (!std::filesystem::exists(dir + "/ics-attack-18.1.json")) {
    GTEST_SKIP() << "shared ATT&CK data not found at " << dir
                 << " (KIZUNA_SHARED_DATA); tests/data/attack-slice.json is checked instead";
  }
  for (std::string file : {"ics-attack-18.0.json", "ics-attack-18.1.json"}) {
    std::vector<std::string> failures;
    std::map<std::string, int> types;
    size_t n = CheckBundle(dir + "/" + file, failures, &types);
    EXPECT_GT(n, 1800u) << file;
    EXPECT_GT(types["x-mitre-collection"], 0) << file;
    EXPECT_TRUE(failures.empty()) << file << ": " << failures.size()
                                  << " failures, first: " << failures.front();
  }
}

// ----- Behaviour beyond single rules --------------------------------------------------------

constexpr std::string_view kIndicator20 = R"({
  "type": "indicator", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
  "created": "2016-04-06T20:03:48.000Z", "modified": "2016-04-06T20:03:48.000Z",
  "labels": ["malicious-activity"], "pattern": "[ipv4-addr:value = '198.51.100.3']",
  "valid_from": "2016-01-01T00:00:00Z"})";

TEST(ValidateTest, Stix20IsValidatedAsTwoPointZeroAndNotRelabelled) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(kIndicator20);
  simdjson::dom::object object = parser.parse(padded).get_object().value_unsafe();
  absl::StatusOr<ObjectIndex> index = IndexObject(object);
  ASSERT_TRUE(index.ok()) << index.status();
  EXPECT_EQ(index->spec_version, SpecVersion::k20);
  EXPECT_TRUE(ValidateObject(object, *index).ok());
  // The same object read as 2.1 lacks pattern_type: the 2.0 rules were applied, not 2.1's.
  index->spec_version = SpecVersion::k21;
  absl::Status as21 = ValidateObject(object, *index);
  EXPECT_NE(as21.message().find("pattern_type: required"), absl::string_view::npos) << as21;
}

TEST(ValidateTest, ReportsTheFirstErrorOnly) {
  absl::Status status = CheckText(R"({"type": "indicator", "spec_version": "2.1",
    "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
    "created": "2016-04-06T20:03:48.000Z", "modified": "2016-04-06T20:03:48.000Z",
    "name": 7, "confidence": 500, "pattern": "[a:b = 'c']", "valid_from": "2016-01-01T00:00:00Z"})");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find(": name: "), absl::string_view::npos) << status;
  EXPECT_EQ(status.message().find("confidence"), absl::string_view::npos) << status;
}

TEST(ValidateTest, QuotesInputValuesSafely) {
  std::string long_value(5000, 'a');
  absl::Status status = CheckText(StrCat(R"({"type": "opinion", "spec_version": "2.1",
    "id": "opinion--b01efc25-77b4-4003-b18b-f6e24b5cd9f7", "created": "2016-05-12T08:17:27.000Z",
    "modified": "2016-05-12T08:17:27.000Z", "object_refs": ["report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3"],
    "opinion": "\u0001\n)",
                                         long_value, R"("})"));
  ASSERT_FALSE(status.ok());
  EXPECT_LT(status.message().size(), 600u) << status;
  EXPECT_NE(status.message().find("\\x01\\x0a"), absl::string_view::npos) << status;
  EXPECT_EQ(status.message().find('\n'), absl::string_view::npos);
}

TEST(ValidateTest, HostileNestingIsBoundedNotRecursedInto) {
  // 100,000 nested lists in a custom property: the parser accepts them (its depth limit is
  // raised here), the validator stops at limits::kMaxJsonDepth without deep recursion.
  constexpr size_t kDepth = 100000;
  std::string json = StrCat(
      R"({"type": "x-acme-thing", "id": "x-acme-thing--4527e5de-8572-446a-a57a-706f15467461", "x_deep": )",
      std::string(kDepth, '['), std::string(kDepth, ']'), "}");
  absl::Status status = CheckText(json, kDepth + 10);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find(StrCat("nested deeper than ", limits::kMaxJsonDepth)),
            absl::string_view::npos)
      << status.message().substr(0, 200);
}

TEST(ValidateTest, GranularMarkingSelectorsHaveAWorkLimit) {
  // 2,000 members and 1,000 selectors of the last one: 2,000,000 member visits, more than the
  // validator spends on one marking's selectors. Legitimate markings stay far below.
  std::string members, selectors;
  for (int i = 0; i < 2000; ++i) StrAppend(members, ", \"x_member_", i, "\": ", i);
  for (int i = 0; i < 1000; ++i) StrAppend(selectors, i ? ", " : "", "\"x_member_1999\"");
  absl::Status status = CheckText(StrCat(
      R"({"type": "x-acme-thing", "spec_version": "2.1",)"
      R"( "id": "x-acme-thing--4527e5de-8572-446a-a57a-706f15467461")",
      members, R"(, "granular_markings": [{"lang": "de", "selectors": [)", selectors, "]}]}"));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("granular_markings[0].selectors["), absl::string_view::npos)
      << status;
  EXPECT_NE(status.message().find("member visits"), absl::string_view::npos) << status;
}

TEST(ValidateTest, CustomObjectsKeepCustomPropertiesAndExtensions) {
  EXPECT_TRUE(CheckText(R"({"type": "x-mitre-matrix", "spec_version": "2.1",
    "id": "x-mitre-matrix--575f48f4-8897-4468-897b-48bb364af6c7",
    "created": "2018-10-17T00:14:20.652Z", "modified": "2022-05-24T14:00:00.188Z",
    "tactic_refs": ["x-mitre-tactic--69da72d2-f550-41c5-ab9e-e8255707f28a"],
    "x_mitre_domains": ["ics-attack"], "x_mitre_deprecated": false,
    "extensions": {"extension-definition--9c59fd79-4215-4ba2-920d-3e4f320e1e62": {"extension_type": "new-sdo"}}})")
                  .ok());
}

}  // namespace
}  // namespace kizuna::stix
