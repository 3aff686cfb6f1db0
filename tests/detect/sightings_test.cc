// Kizuna.
#include "kizuna/detect/sightings.h"

#include <gtest/gtest.h>

#include "simdjson.h"

namespace kizuna::detect {
namespace {

Uuid U(uint8_t n) {
  Uuid u{};
  u[15] = n;
  return u;
}

constexpr int64_t kHour = 3600LL * 1000000;

TEST(SightingsTest, AggregatesPerIndicatorAndWindow) {
  SightingAggregator a(kHour), b(kHour);
  a.Add(U(1), 10 * kHour + 5);
  a.Add(U(1), 10 * kHour + 1);
  b.Add(U(1), 10 * kHour + 9);
  b.Add(U(1), 11 * kHour);
  b.Add(U(2), 3);
  a.Merge(b);
  std::vector<SightingAggregator::Entry> e = a.Entries();
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].indicator, U(1));
  EXPECT_EQ(e[0].window_start_us, 10 * kHour);
  EXPECT_EQ(e[0].first_us, 10 * kHour + 1);
  EXPECT_EQ(e[0].last_us, 10 * kHour + 9);
  EXPECT_EQ(e[0].count, 3);
  EXPECT_EQ(e[1].window_start_us, 11 * kHour);
  EXPECT_EQ(e[1].count, 1);
  EXPECT_EQ(e[2].indicator, U(2));
  EXPECT_EQ(a.IndicatorCount(), 2u);
}

TEST(SightingsTest, JsonIsAStixSightingWithAStableId) {
  SightingAggregator a(kHour);
  a.Add(U(1), 1521911720865716);
  a.Add(U(1), 1521911725000000);
  const auto entry = a.Entries()[0];
  const std::string identity = "identity--00000000-0000-4000-8000-0000000000aa";
  const std::string json = SightingJson(entry, identity);
  EXPECT_EQ(json, SightingJson(entry, identity));
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(json);
  EXPECT_EQ(std::string_view(doc["type"]), "sighting");
  EXPECT_EQ(std::string_view(doc["sighting_of_ref"]), FormatIndicatorId(U(1)));
  EXPECT_EQ(std::string_view(doc["first_seen"]), "2018-03-24T17:15:20.865716Z");
  EXPECT_EQ(std::string_view(doc["last_seen"]), "2018-03-24T17:15:25.000000Z");
  EXPECT_EQ(std::string_view(doc["created"]), "2018-03-24T17:00:00.000000Z");
  EXPECT_EQ(int64_t(doc["count"]), 2);
  EXPECT_EQ(std::string_view(doc["where_sighted_refs"].at(0)), identity);
  EXPECT_TRUE(std::string_view(doc["id"]).starts_with("sighting--"));
  EXPECT_NE(SightingJson(entry, "identity--00000000-0000-4000-8000-0000000000bb").substr(0, 80),
            json.substr(0, 80));
  EXPECT_TRUE(doc["object_marking_refs"].error());
  // Sightings of exercise telemetry carry the exercise marking; the same id.
  const std::string marked = SightingJson(entry, identity, "marking-definition--1680a0b1-1d3b-5b4b-b302-3989d7fa2618");
  simdjson::dom::parser marked_parser;
  simdjson::dom::element m = marked_parser.parse(marked);
  EXPECT_EQ(std::string_view(m["object_marking_refs"].at(0)), "marking-definition--1680a0b1-1d3b-5b4b-b302-3989d7fa2618");
  EXPECT_EQ(std::string_view(m["id"]), std::string_view(doc["id"]));
}

}  // namespace
}  // namespace kizuna::detect
