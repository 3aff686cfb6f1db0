// Kizuna. STIX back to MISP events: what came from MISP comes back as it came.
#include "kizuna/misp/to_misp.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "kizuna/misp/to_stix.h"

namespace kizuna::misp {
namespace {

namespace json = boost::json;

const std::string kData = std::string(KIZUNA_TEST_DATA) + "/misp/";

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Lines(std::string_view misp) {
  ConvertOptions options;
  options.created_by_ref = "identity--00000000-0000-4000-8000-000000000001";
  absl::StatusOr<Conversion> c = ConvertMisp(misp, options);
  EXPECT_TRUE(c.ok()) << c.status();
  std::vector<std::string> out;
  std::istringstream in(c->json_lines);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

// Sorts object members by key so that two canonical values compare as text.
std::string Text(const json::value& v) {
  if (v.is_object()) {
    std::vector<std::pair<std::string, std::string>> members;
    for (const auto& m : v.get_object()) members.emplace_back(m.key(), Text(m.value()));
    std::sort(members.begin(), members.end());
    std::string out = "{";
    for (const auto& [k, t] : members) out += "\"" + k + "\":" + t + ",";
    return out + "}";
  }
  if (v.is_array()) {
    std::string out = "[";
    for (const json::value& item : v.get_array()) out += Text(item) + ",";
    return out + "]";
  }
  return json::serialize(v);
}

// `v` with every list sorted: MISP lists are sets (attributes, tags, objects).
json::value Canonical(const json::value& v) {
  if (v.is_object()) {
    json::object out;
    for (const auto& m : v.get_object()) out[m.key()] = Canonical(m.value());
    return out;
  }
  if (!v.is_array()) return v;
  std::vector<std::pair<std::string, json::value>> items;
  for (const json::value& item : v.get_array()) {
    json::value c = Canonical(item);
    items.emplace_back(Text(c), c);
  }
  std::sort(items.begin(), items.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  json::array out;
  for (auto& [text, item] : items) out.push_back(std::move(item));
  return out;
}

std::string Export(const std::vector<std::string>& lines, EventWriter* writer_out = nullptr) {
  EventWriter writer(
      {"6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5aee", "Kizuna collection Test", 1793606400});
  for (const std::string& l : lines) EXPECT_TRUE(writer.Add(l).ok());
  std::string out = writer.Finish();
  if (writer_out != nullptr) *writer_out = std::move(writer);
  return out;
}

// The events of `doc`, without MISP's attribute_count, which the import does not keep (it would
// count attributes some readers may not read; docs/misp.md).
std::string EventsText(const json::value& doc) {
  json::array events;
  for (const json::value& e : doc.at("response").as_array()) {
    json::object event = e.at("Event").as_object();
    event.erase("attribute_count");
    events.push_back(std::move(event));
  }
  return Text(Canonical(events));
}

TEST(ToMispTest, EventsComeBackAsTheyCame) {
  for (const char* file : {"kizuna-event-list.json", "pymisp-existing-event-cut.json",
                           "pymisp-event-obj-attr-tag.json"}) {
    std::string source = Slurp(kData + file);
    json::value in = json::parse(source);
    if (!in.as_object().contains("response")) {
      json::object event =
          in.as_object().contains("Event") ? in.at("Event").as_object() : in.as_object();
      in = json::object{{"response", json::array{json::object{{"Event", event}}}}};
    }
    json::value out = json::parse(Export(Lines(source)));
    std::string got = EventsText(out), want = EventsText(in);
    size_t at = std::mismatch(got.begin(), got.end(), want.begin(), want.end()).first - got.begin();
    EXPECT_EQ(got.size(), want.size()) << file;
    EXPECT_EQ(at, got.size()) << file << ": differs at\n"
                              << got.substr(at > 200 ? at - 200 : 0, 400) << "\n"
                              << want.substr(at > 200 ? at - 200 : 0, 400);
  }
}

TEST(ToMispTest, WithheldObjectsLeaveNoTrace) {
  std::vector<std::string> lines = Lines(Slurp(kData + "kizuna-event-list.json"));
  // The reader may not see the first event's report nor the attribute a...10 (tlp:red).
  std::vector<std::string> visible;
  for (const std::string& l : lines) {
    if (l.find("Spearphishing wave") != std::string::npos && l.starts_with("{\"type\":\"report\""))
      continue;
    if (l.find("\"uuid\":\"6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a10\"") != std::string::npos &&
        l.starts_with("{\"type\":\"indicator\"")) {
      continue;
    }
    visible.push_back(l);
  }
  ASSERT_EQ(visible.size() + 2, lines.size());
  std::string out = Export(visible);
  EXPECT_EQ(out.find("Spearphishing wave"), std::string::npos);
  EXPECT_EQ(out.find("mail-ministry.example\""),
            std::string::npos);  // the withheld indicator's value
  EXPECT_EQ(out.find("6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a20"), std::string::npos);  // its sighting
  EXPECT_NE(out.find("cdn-lookup.example"), std::string::npos);
}

TEST(ToMispTest, AMoreRestrictiveMarkingReplacesTheTlpTags) {
  std::string event = R"({"Event": {"uuid": "6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a01", "info": "x",
    "Tag": [{"name": "tlp:green"}], "Attribute": [
    {"uuid": "6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a10", "type": "domain", "value": "a.example", "to_ids": true,
     "Tag": [{"name": "osint"}]}]}})";
  std::vector<std::string> lines = Lines(event);
  // Inherited green: the attribute keeps its own tags only.
  EXPECT_EQ(Export(lines).find("\"Tag\":[{\"name\":\"osint\"},{\"name\":\"tlp"), std::string::npos);
  for (std::string& l : lines) {  // a later version in Kizuna is TLP:RED
    size_t at = l.find("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb");
    if (l.starts_with("{\"type\":\"indicator\"") && at != std::string::npos) {
      l.replace(at,
                std::string_view("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1").size(),
                "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1");
    }
  }
  EXPECT_NE(Export(lines).find("\"Tag\":[{\"name\":\"osint\"},{\"name\":\"tlp:red\"}]"),
            std::string::npos);
}

TEST(ToMispTest, OtherIndicatorsAndObservablesBecomeOneMoreEvent) {
  std::vector<std::string> lines = {
      R"({"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z","labels":["c2"],"object_marking_refs":["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"]})",
      R"({"type":"indicator","spec_version":"2.1","id":"indicator--9e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","pattern":"[file:size > 10]","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z"})",
      R"({"type":"domain-name","spec_version":"2.1","id":"domain-name--3c10e5a2-6f5f-5ff0-b6b3-3e1b2f1a7c6d","value":"b.example"})",
      R"({"type":"malware","spec_version":"2.1","id":"malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"x","is_family":true})"};
  EventWriter writer(
      {"6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5aee", "Kizuna collection Test", 1793606400});
  for (const std::string& l : lines) ASSERT_TRUE(writer.Add(l).ok());
  json::value out = json::parse(writer.Finish());
  const json::object& event = out.at("response").at(0).at("Event").as_object();
  EXPECT_EQ(event.at("info"), "Kizuna collection Test");
  EXPECT_EQ(event.at("date"), "2026-11-02");
  const json::array& a = event.at("Attribute").as_array();
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].at("type"), "ip-dst");
  EXPECT_EQ(a[0].at("value"), "198.51.100.7");
  EXPECT_EQ(a[0].at("uuid"), "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f");
  EXPECT_EQ(a[0].at("Tag"),
            (json::array{json::object{{"name", "c2"}}, json::object{{"name", "tlp:amber"}}}));
  EXPECT_EQ(a[1].at("type"), "stix2-pattern");
  EXPECT_EQ(a[1].at("value"), "[file:size > 10]");
  EXPECT_EQ(a[2].at("type"), "domain");
  EXPECT_EQ(a[2].at("to_ids"), false);
  EXPECT_EQ(writer.counts().skipped.at("malware"), 1);
  EXPECT_FALSE(writer.Add("not json").ok());
}

}  // namespace
}  // namespace kizuna::misp
