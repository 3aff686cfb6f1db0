// Kizuna. What `kizuna exercise run` POSTs: injects as envelopes of exercise data
// (exercise/inject.h). Issue 23, item 3.
#include "kizuna/exercise/inject.h"

#include <gtest/gtest.h>

#include "kizuna/base/strings.h"
#include "kizuna/exercise/indicators.h"
#include "kizuna/exercise/marking.h"
#include "kizuna/exercise/scenario_parser.h"
#include "simdjson.h"
#include "test_scenario.h"

namespace kizuna::exercise {
namespace {

std::string Indicator(std::string_view markings) {
  return StrCat(R"({"type":"indicator","spec_version":"2.1","id":"indicator--8a6f2c1d-3b4e-4f70-9d2a-6c1b0e7f5a94",)"
                R"("created":"2026-11-02T01:40:00.000Z","modified":"2026-11-02T01:40:00.000Z",)"
                R"("pattern":"[domain-name:value = 'x.example']","pattern_type":"stix","valid_from":"2026-11-02T00:00:00Z",)"
                R"("object_marking_refs":)", markings, "}");
}

TEST(InjectTest, TheEnvelopeHoldsTheMarkingThenTheObjectsAsWritten) {
  const std::string marked = Indicator(StrCat("[\"", kExerciseMarkingId, "\"]"));
  auto envelope = InjectEnvelope(StrCat(R"({"type":"bundle","id":"bundle--5d0b8f1e-7c39-4f5a-9a43-0a2f3c1e9b71","objects":[)",
                                        marked, "]}"),
                                 "advisory.json");
  ASSERT_TRUE(envelope.ok()) << envelope.status();
  EXPECT_EQ(*envelope, StrCat("{\"objects\":[", ExerciseMarkingJson(), ",", marked, "]}"));
}

TEST(InjectTest, AnObjectWithoutTheExerciseMarkingIsRefusedByName) {
  auto envelope = InjectEnvelope(StrCat("[", Indicator("[\"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487\"]"), "]"),
                                 "advisory.json");
  EXPECT_EQ(envelope.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(envelope.status().message().find(
                "advisory.json: indicator--8a6f2c1d-3b4e-4f70-9d2a-6c1b0e7f5a94 does not carry the exercise marking"),
            absl::string_view::npos)
      << envelope.status();
  EXPECT_EQ(InjectEnvelope("{\"objects\":[{]}", "bad.json").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(InjectTest, TheImpliedIndicatorsGoAsOneEnvelopeWithTheMarkingOnce) {
  auto s = ParseScenario(testing::SmallScenario(), "s.yaml");
  ASSERT_TRUE(s.ok()) << s.status();
  auto envelope = InjectEnvelope(IndicatorBundle(*s, {}, 0), "implied");
  ASSERT_TRUE(envelope.ok()) << envelope.status();
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(*envelope);
  size_t markings = 0, identities = 0, indicators = 0;
  for (simdjson::dom::element o : root["objects"].get_array()) {
    std::string_view type = o["type"].get_string().value();
    markings += type == "marking-definition";
    identities += type == "identity";
    indicators += type == "indicator";
  }
  EXPECT_EQ(markings, 1u);
  EXPECT_EQ(identities, 1u);
  EXPECT_GT(indicators, 0u);
  EXPECT_NE(envelope->find(WhiteCellIdentity(*s)), std::string::npos);
}

}  // namespace
}  // namespace kizuna::exercise
