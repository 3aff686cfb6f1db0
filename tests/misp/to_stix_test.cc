// Kizuna. MISP events to STIX: every object valid, ids deterministic and distinct, markings
// mapped, nothing dropped without a note.
#include "kizuna/misp/to_stix.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "kizuna/stix/id.h"
#include "kizuna/stix/parser.h"

namespace kizuna::misp {
namespace {

namespace json = boost::json;

const std::string kData = std::string(KIZUNA_TEST_DATA) + "/misp/";
constexpr std::string_view kCreator = "identity--00000000-0000-4000-8000-000000000001";
constexpr std::string_view kAmber = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
constexpr std::string_view kRed = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Conversion Convert(std::string_view text) {
  ConvertOptions options;
  options.created_by_ref = std::string(kCreator);
  options.origin = "test.json";
  absl::StatusOr<Conversion> c = ConvertMisp(text, options);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : Conversion{};
}

std::vector<json::object> Objects(const Conversion& c) {
  std::vector<json::object> out;
  std::istringstream in(c.json_lines);
  std::string line;
  while (std::getline(in, line)) out.push_back(json::parse(line).as_object());
  return out;
}

std::string_view S(const json::value& v) {
  return v.is_string() ? std::string_view(v.get_string()) : "";
}

// The object made from the MISP entity whose record member `member` has uuid `uuid`.
json::object ByUuid(const std::vector<json::object>& objects, std::string_view member,
                    std::string_view uuid) {
  for (const json::object& o : objects) {
    if (const json::value* r = o.if_contains(member); r != nullptr && S(r->at("uuid")) == uuid)
      return o;
  }
  ADD_FAILURE() << "no object of " << member << " " << uuid;
  return {};
}

TEST(ToStixTest, EveryObjectIsValidStixAndEveryIdDistinct) {
  for (const char* file : {"kizuna-event-list.json", "pymisp-existing-event-cut.json",
                           "pymisp-event-obj-attr-tag.json"}) {
    Conversion c = Convert(Slurp(kData + file));
    std::set<std::string> ids;
    stix::ObjectParser parser;
    std::istringstream in(c.json_lines);
    std::string line;
    while (std::getline(in, line)) {
      absl::StatusOr<stix::ObjectIndex> index = parser.Parse(line, stix::Padding::kAbsent);
      EXPECT_TRUE(index.ok()) << file << ": " << index.status() << "\n" << line;
      EXPECT_TRUE(ids.insert(std::string(json::parse(line).at("id").as_string())).second)
          << file << ": " << line;
    }
    EXPECT_EQ(static_cast<int64_t>(ids.size()), c.stix_objects) << file;
    EXPECT_GT(c.stix_objects, 0) << file;
  }
}

TEST(ToStixTest, IdsAreUuidV5OfTheMispUuidAndTheSameEachTime) {
  std::string text = Slurp(kData + "kizuna-event-list.json");
  Conversion a = Convert(text), b = Convert(text);
  EXPECT_EQ(a.json_lines, b.json_lines);
  std::vector<json::object> objects = Objects(a);
  json::object indicator =
      ByUuid(objects, "x_misp_attribute", "6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a10");
  EXPECT_EQ(S(indicator.at("id")),
            "indicator--" +
                stix::UuidV5(kMispNamespace, "attribute:6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a10"));
  json::object report = ByUuid(objects, "x_misp_event", "6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a01");
  EXPECT_EQ(
      S(report.at("id")),
      "report--" + stix::UuidV5(kMispNamespace, "event:6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a01"));
  EXPECT_EQ(report.at("name"), "Spearphishing wave against ministries");
  EXPECT_EQ(S(report.at("created_by_ref")), kCreator);
}

TEST(ToStixTest, AnIndicatorAndAnObservableOfOneValueNeverShareAnId) {
  // The same value as an indicator (to_ids) in one attribute and an observable in another.
  std::string text =
      R"({"Event": {"uuid": "6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a01", "info": "x", "Attribute": [
    {"uuid": "6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a10", "type": "domain", "value": "a.example", "to_ids": true},
    {"uuid": "6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a11", "type": "domain", "value": "a.example", "to_ids": false}]}})";
  std::vector<json::object> objects = Objects(Convert(text));
  std::map<std::string, int> types;
  std::set<std::string> ids;
  for (const json::object& o : objects) {
    ++types[std::string(o.at("type").as_string())];
    ids.insert(std::string(o.at("id").as_string()));
  }
  EXPECT_EQ(types, (std::map<std::string, int>{
                       {"indicator", 1}, {"observed-data", 1}, {"domain-name", 1}, {"report", 1}}));
  EXPECT_EQ(ids.size(), objects.size());
}

TEST(ToStixTest, TlpTagsBecomeTheMostRestrictiveMarking) {
  std::vector<json::object> objects = Objects(Convert(Slurp(kData + "kizuna-event-list.json")));
  json::object report = ByUuid(objects, "x_misp_event", "6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a01");
  EXPECT_EQ(report.at("object_marking_refs"), json::array{json::string(kAmber)});
  EXPECT_EQ(report.at("labels"),
            (json::array{"PAP:RED", "tlp:ex:chr"}));  // PAP and unknown tlp: stay labels
  // tlp:red on the attribute beats the event's tlp:amber; an attribute without tags inherits.
  EXPECT_EQ(ByUuid(objects, "x_misp_attribute", "6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a10")
                .at("object_marking_refs"),
            json::array{json::string(kRed)});
  EXPECT_EQ(ByUuid(objects, "x_misp_attribute", "6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a12")
                .at("object_marking_refs"),
            json::array{json::string(kAmber)});
  // cdn-lookup.example is an observable of the amber event and of the clear one: the most
  // restrictive holds for the one observable both name.
  for (const json::object& o : objects) {
    if (o.at("type") == "domain-name" && o.at("value") == "cdn-lookup.example") {
      EXPECT_EQ(o.at("object_marking_refs"), json::array{json::string(kAmber)});
    }
  }
}

TEST(ToStixTest, NoObjectNamesWhatIsMoreRestrictedThanItself) {
  std::vector<json::object> objects = Objects(Convert(Slurp(kData + "kizuna-event-list.json")));
  std::string red_id(
      S(ByUuid(objects, "x_misp_attribute", "6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a10").at("id")));
  json::object report = ByUuid(objects, "x_misp_event", "6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a01");
  for (const json::value& r : report.at("object_refs").as_array()) EXPECT_NE(S(r), red_id);
  // The object's reference to the red attribute is as restrictive as the attribute.
  json::object beacons =
      ByUuid(objects, "x_misp_reference", "6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a40");
  EXPECT_EQ(S(beacons.at("target_ref")), red_id);
  EXPECT_EQ(beacons.at("object_marking_refs"), json::array{json::string(kRed)});
}

TEST(ToStixTest, ObjectsReferencesGalaxiesAndSightings) {
  Conversion c = Convert(Slurp(kData + "kizuna-event-list.json"));
  EXPECT_EQ(c.events, 2);
  EXPECT_EQ(c.attributes, 13);
  EXPECT_EQ(c.objects, 1);
  EXPECT_EQ(c.references, 2);  // the third points outside the event
  EXPECT_EQ(c.sightings, 3);   // two of the attribute, one of the event's list
  EXPECT_EQ(c.clusters, 2);
  std::vector<json::object> objects = Objects(c);
  json::object grouping = ByUuid(objects, "x_misp_object", "6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a30");
  EXPECT_EQ(grouping.at("object_refs").as_array().size(), 3u);
  EXPECT_EQ(grouping.at("x_misp_unresolved_references").as_array().size(), 1u);
  json::object drops = ByUuid(objects, "x_misp_reference", "6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a41");
  EXPECT_EQ(drops.at("relationship_type"), "related-to");
  EXPECT_EQ(drops.at("x_misp_reference").at("relationship_type"), "Drops Via");
  json::object attack = ByUuid(objects, "x_misp_cluster", "2e34237d-8574-43f6-aace-ae2915de8597");
  EXPECT_EQ(attack.at("type"), "attack-pattern");
  EXPECT_EQ(attack.at("name"), "Spearphishing Attachment");
  EXPECT_EQ(attack.at("external_references").at(0).at("external_id"), "T1566.001");
  EXPECT_EQ(attack.at("kill_chain_phases").at(0).at("phase_name"), "initial-access");
  json::object false_positive =
      ByUuid(objects, "x_misp_sighting", "6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a21");
  EXPECT_EQ(false_positive.at("sighting_of_ref"),
            ByUuid(objects, "x_misp_attribute", "6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a10").at("id"));
  EXPECT_EQ(false_positive.at("x_misp_sighting").at("type"), "1");
  json::object deleted =
      ByUuid(objects, "x_misp_attribute", "6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a16");
  EXPECT_EQ(deleted.at("revoked"), true);
}

TEST(ToStixTest, ClustersThatShareTheirGalaxysUuidStayApart) {
  // Old MISP gave each cluster of a galaxy the galaxy's uuid (PyMISP's existing_event.json).
  std::vector<json::object> objects =
      Objects(Convert(Slurp(kData + "pymisp-existing-event-cut.json")));
  std::set<std::string> malware;
  for (const json::object& o : objects) {
    if (o.at("type") == "malware") malware.insert(std::string(o.at("name").as_string()));
  }
  EXPECT_EQ(malware, (std::set<std::string>{"JHUHUGIT", "XTunnel"}));
}

TEST(ToStixTest, WhatHasNoStixFormIsNamedInTheNotes) {
  Conversion c = Convert(Slurp(kData + "kizuna-event-list.json"));
  std::string notes;
  for (const std::string& n : c.notes) notes += n + "\n";
  for (const char* expected :
       {"tag 'tlp:ex:chr' is no TLP level: kept as a label",
        "events shared with a sharing group (distribution 4): the collection's release decides",
        "attributes kept as x-misp-attribute: no STIX mapping for type 'text'",
        "object references to what is not in the event: kept in x_misp_unresolved_references",
        "sightings of attributes not in the event: kept in x_misp_unresolved_sightings"}) {
    EXPECT_NE(notes.find(expected), std::string::npos) << expected << "\n" << notes;
  }
}

TEST(ToStixTest, EventsWithoutUuidsAreNamedByTheirContent) {
  Conversion a =
      Convert(R"({"info": "draft", "Attribute": [{"type": "domain", "value": "a.example"}]})");
  Conversion b =
      Convert(R"({"info": "draft 2", "Attribute": [{"type": "domain", "value": "a.example"}]})");
  EXPECT_EQ(a.stix_objects, 3);  // observed-data, domain-name, report
  EXPECT_NE(Objects(a).back().at("id"), Objects(b).back().at("id"));
  EXPECT_EQ(Convert("{}").stix_objects, 1);  // an empty event: a report that names its creator
}

TEST(ToStixTest, DocumentsThatAreNoEventsAreRefusedByName) {
  ConvertOptions options;
  options.created_by_ref = std::string(kCreator);
  options.origin = "x.json";
  EXPECT_EQ(ConvertMisp("not json", options).status().message().substr(0, 16), "x.json: not JSON");
  EXPECT_EQ(ConvertMisp("[1]", options).status().message(),
            "x.json: event list item 0 is not a MISP event object");
  EXPECT_TRUE(absl::IsInvalidArgument(ConvertMisp("\"text\"", options).status()));
  options.max_depth = 4;
  EXPECT_TRUE(absl::IsInvalidArgument(
      ConvertMisp(R"({"a": {"b": {"c": {"d": {"e": 1}}}}})", options).status()));
}

}  // namespace
}  // namespace kizuna::misp
