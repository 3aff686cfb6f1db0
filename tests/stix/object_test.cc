// Kizuna.
#include "kizuna/stix/object.h"

#include <gtest/gtest.h>

namespace kizuna::stix {
namespace {

absl::StatusOr<ObjectIndex> Index(std::string_view json) {
  static simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::object object;
  if (parser.parse(padded).get(object) != simdjson::SUCCESS) return absl::InvalidArgumentError("bad json");
  return IndexObject(object);
}

TEST(ObjectTest, IndexesCommonProperties) {
  auto index = Index(R"({"type": "indicator", "spec_version": "2.1",
      "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
      "created": "2016-04-06T20:03:48.000Z", "modified": "2016-04-06T20:03:48.123Z",
      "created_by_ref": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff", "revoked": true,
      "object_marking_refs": ["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"],
      "granular_markings": [{"selectors": ["description"],
                             "marking_ref": "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"}],
      "valid_from": "2016-01-01T00:00:00Z", "valid_until": "2017-01-01T00:00:00Z",
      "pattern": "[file:name = 'x']", "pattern_type": "stix", "x_custom": {"a": 1}})");
  ASSERT_TRUE(index.ok()) << index.status();
  EXPECT_EQ(index->id, "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f");
  EXPECT_EQ(index->type, "indicator");
  EXPECT_EQ(index->kind, ObjectKind::kSdo);
  EXPECT_EQ(index->spec_version, SpecVersion::k21);
  EXPECT_EQ(index->version()->nanos, 123000000);
  EXPECT_EQ(index->created_by_ref, "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff");
  EXPECT_TRUE(index->revoked);
  ASSERT_EQ(index->object_marking_refs.size(), 1u);
  ASSERT_EQ(index->granular_marking_refs.size(), 1u);
  EXPECT_EQ(*index->valid_from_us, 1451606400000000);
  EXPECT_EQ(*index->valid_until_us, 1483228800000000);
}

TEST(ObjectTest, SpecVersionDefaults) {
  // A non-SCO without spec_version is STIX 2.0; an SCO without it is 2.1.
  auto v20 = Index(R"({"type":"malware","id":"malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061","created":"2016-05-12T08:17:27.000Z","modified":"2016-05-12T08:17:27.000Z"})");
  ASSERT_TRUE(v20.ok());
  EXPECT_EQ(v20->spec_version, SpecVersion::k20);
  auto sco = Index(R"({"type":"ipv4-addr","id":"ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4","value":"198.51.100.3"})");
  ASSERT_TRUE(sco.ok());
  EXPECT_EQ(sco->spec_version, SpecVersion::k21);
  EXPECT_EQ(sco->kind, ObjectKind::kSco);
  EXPECT_FALSE(sco->version().has_value());
  auto custom = Index(R"({"type":"x-mitre-tactic","id":"x-mitre-tactic--69da72d2-f550-41c5-ab9e-e8255707f28a","spec_version":"2.1"})");
  ASSERT_TRUE(custom.ok());
  EXPECT_EQ(custom->kind, ObjectKind::kCustom);
}

TEST(ObjectTest, ErrorsNameIdAndProperty) {
  struct Case { const char* json; const char* message; };
  for (auto c : {
           Case{R"({"type":"indicator"})", "object of type 'indicator': id: required property is missing"},
           Case{R"({"id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"})", "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f: type: required"},
           Case{R"({"type":"indicator","id":7})", "id: expected an identifier string"},
           Case{R"({"type":"malware","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"})", "differs from type 'malware'"},
           Case{R"({"type":"indicator","id":"indicator--nope"})", "does not end in a UUID"},
           Case{R"({"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","spec_version":"2.2"})", "spec_version: expected \"2.1\""},
           Case{R"({"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"yesterday"})", "created: invalid timestamp"},
           Case{R"({"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","modified":5})", "modified: expected a string"},
           Case{R"({"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","revoked":"yes"})", "revoked: expected a boolean"},
           Case{R"({"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","object_marking_refs":"x"})", "object_marking_refs: expected a list"},
           Case{R"({"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","object_marking_refs":[1]})", "object_marking_refs[0]: expected an identifier"},
           Case{R"({"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","granular_markings":[5]})", "granular_markings[0]"},
           Case{R"({"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","valid_from":"2016"})", "valid_from: invalid timestamp"},
       }) {
    auto index = Index(c.json);
    ASSERT_FALSE(index.ok()) << c.json;
    EXPECT_NE(index.status().message().find(c.message), std::string::npos)
        << c.json << " gave " << index.status();
  }
}

}  // namespace
}  // namespace kizuna::stix
