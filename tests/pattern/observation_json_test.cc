// Kizuna.
#include "kizuna/pattern/observation_json.h"

#include <gtest/gtest.h>

#include "kizuna/base/strings.h"

namespace kizuna::pattern {
namespace {

constexpr char kObservedData21[] =
    R"({"type":"observed-data","id":"od-1","first_observed":"2020-01-01T00:00:00Z",)"
    R"("last_observed":"2020-01-01T00:00:05.5Z","number_observed":4,)"
    R"("object_refs":["ipv4-addr--1","missing--1"]})";
constexpr char kIp[] = R"({"type":"ipv4-addr","id":"ipv4-addr--1","value":"10.0.0.1"})";

std::string Message(const absl::Status& s) { return std::string(View(s.message())); }

TEST(ObservationJsonTest, BundleWithObjectRefs) {
  const std::string bundle = StrCat(R"({"type":"bundle","id":"bundle--1","objects":[)",
                                    kObservedData21, ",", kIp, "]}");
  auto obs = ParseObservations(bundle, StixVersion::k21);
  ASSERT_TRUE(obs.ok()) << obs.status();
  ASSERT_EQ(obs->size(), 1u);
  const Observation& o = (*obs)[0];
  EXPECT_EQ(o.id(), "od-1");
  EXPECT_EQ(o.count(), 4u);
  EXPECT_EQ(o.last_observed().nanos, 500000000);
  ASSERT_EQ(o.sco_count(), 1u);  // the unresolved ref is skipped
  EXPECT_EQ(o.sco_key(0), "ipv4-addr--1");
  EXPECT_EQ(o.string_value(o.FindMember(o.sco_root(0), "value")), "10.0.0.1");
  EXPECT_EQ(o.string_value(o.FindMember(o.sco_root(0), "id")), "ipv4-addr--1");
}

TEST(ObservationJsonTest, ListAndJsonLinesInAnyOrder) {
  const std::string list = StrCat("[", kIp, ",", kObservedData21, "]");
  auto a = ParseObservations(list, StixVersion::k21);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ((*a)[0].sco_count(), 1u);
  const std::string lines = StrCat(kObservedData21, "\n", kIp, "\n\n", kObservedData21, "\n");
  auto b = ParseObservations(lines, StixVersion::k21);
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(b->size(), 2u);
  EXPECT_EQ((*b)[1].sco_count(), 1u);
}

TEST(ObservationJsonTest, Stix20ObjectsContainer) {
  const std::string od =
      R"({"type":"observed-data","id":"od-20","first_observed":"2016-01-01T00:00:00Z",)"
      R"("last_observed":"2016-01-01T00:00:00Z","number_observed":1,"objects":{)"
      R"("0":{"type":"file","name":"a","parent_directory_ref":"1","x":{"deep":[1,2.5,true,null]}},)"
      R"("1":{"type":"directory","path":"/tmp"}}})";
  auto obs = ParseObservations(od, StixVersion::k20);
  ASSERT_TRUE(obs.ok()) << obs.status();
  const Observation& o = (*obs)[0];
  ASSERT_EQ(o.sco_count(), 2u);
  EXPECT_EQ(o.sco_key(1), "1");
  EXPECT_EQ(o.FindSco("1"), 1);
  const auto deep = o.FindMember(o.FindMember(o.sco_root(0), "x"), "deep");
  EXPECT_EQ(o.child_count(deep), 4u);
  EXPECT_EQ(o.kind(o.ListElement(deep, 1)), ValueKind::kFloat);
  EXPECT_EQ(o.kind(o.ListElement(deep, 3)), ValueKind::kNull);
  // 2.0 needs the container.
  auto bad = ParseObservations(kObservedData21, StixVersion::k20);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(Message(bad.status()).find("STIX 2.0 observed-data needs an 'objects'"),
            std::string::npos);
}

TEST(ObservationJsonTest, ErrorsNameTheObjectAndProperty) {
  struct Case {
    std::string json;
    std::string message;
  };
  const std::string head = R"({"type":"observed-data","id":"od-x",)";
  const Case cases[] = {
      {head + R"("last_observed":"2020-01-01T00:00:00Z","number_observed":1,"object_refs":[]})",
       "object od-x: 'first_observed' is missing"},
      {head + R"("first_observed":"2020-02-30T00:00:00Z","last_observed":"2020-01-01T00:00:00Z","number_observed":1,"object_refs":[]})",
       "'first_observed': invalid timestamp"},
      {head + R"("first_observed":"2020-01-02T00:00:00Z","last_observed":"2020-01-01T00:00:00Z","number_observed":1,"object_refs":[]})",
       "'last_observed' is before 'first_observed'"},
      {head + R"("first_observed":"2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:00:00Z","number_observed":0,"object_refs":[]})",
       "'number_observed' must be an integer from 1 to 999,999,999"},
      {head + R"("first_observed":"2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:00:00Z","number_observed":1000000000,"object_refs":[]})",
       "'number_observed'"},
      {head + R"("first_observed":"2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:00:00Z","number_observed":1})",
       "needs 'object_refs'"},
      {head + R"("first_observed":"2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:00:00Z","number_observed":1,"object_refs":[5]})",
       "'object_refs' holds a non-string"},
      {head + R"("first_observed":"2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:00:00Z","number_observed":1,"objects":{"0":{"name":"x"}}})",
       "objects['0'] has no 'type'"},
      {R"({"id":"x"})", "object without a 'type'"},
      {R"({"type":"bundle","id":"b"})", "bundle without an 'objects' list"},
      {"42", "expected a JSON object or array"},
      {"{\"type\": ", "invalid JSON"},
      {"[1, 2", "invalid JSON"},
  };
  for (const Case& c : cases) {
    auto obs = ParseObservations(c.json, StixVersion::k21);
    ASSERT_FALSE(obs.ok()) << c.json;
    EXPECT_NE(Message(obs.status()).find(c.message), std::string::npos) << obs.status();
  }
}

TEST(ObservationJsonTest, SecondJsonLineErrorNamesItsDocument) {
  auto obs = ParseObservations(StrCat(kIp, "\n{\"type\": 5}\n"), StixVersion::k21);
  ASSERT_FALSE(obs.ok());
  EXPECT_NE(Message(obs.status()).find("document 2"), std::string::npos) << obs.status();
}

TEST(ObservationJsonTest, DepthLimit) {
  std::string deep = R"({"type":"x-deep","id":"x-deep--1","v":)";
  for (int i = 0; i < 100; ++i) deep += "[";
  for (int i = 0; i < 100; ++i) deep += "]";
  deep += "}";
  auto obs = ParseObservations(StrCat(kObservedData21, "\n", deep), StixVersion::k21);
  ASSERT_FALSE(obs.ok());
  EXPECT_EQ(obs.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(ObservationJsonTest, EmptyInputHasNoObservations) {
  auto obs = ParseObservations("  \n", StixVersion::k21);
  ASSERT_TRUE(obs.ok());
  EXPECT_TRUE(obs->empty());
}

}  // namespace
}  // namespace kizuna::pattern
