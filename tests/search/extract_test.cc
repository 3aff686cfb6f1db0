// Kizuna. What the extractor finds in objects.
#include "kizuna/search/extract.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace kizuna::search {
namespace {

using store::ValueKind;

bool Has(const store::EntryIndex& index, std::string_view value, std::string_view path, ValueKind kind) {
  return std::any_of(index.values.begin(), index.values.end(), [&](const store::IndexedValue& v) {
    return v.value == value && v.path == path && v.kind == kind;
  });
}

store::EntryIndex Extract(std::string_view type, std::string_view json) {
  store::EntryIndex index;
  Extractor().Extract(type, json, index);
  return index;
}

TEST(ExtractTest, ObservableValuesAtTheirPaths) {
  store::EntryIndex i = Extract("file", R"({"type":"file","id":"file--1","name":"Evil.EXE",
      "hashes":{"SHA-256":"AB12","MD5":"CD34"},"parent_directory_ref":"directory--2"})");
  EXPECT_TRUE(Has(i, "evil.exe", "file:name", ValueKind::kObservable));
  EXPECT_TRUE(Has(i, "ab12", "file:hashes.'SHA-256'", ValueKind::kObservable));
  EXPECT_TRUE(Has(i, "cd34", "file:hashes.MD5", ValueKind::kObservable));
  EXPECT_EQ(i.values.size(), 3u) << "ids, types and refs are no values";
  store::EntryIndex as = Extract("autonomous-system", R"({"type":"autonomous-system","id":"x","number":64500})");
  EXPECT_TRUE(Has(as, "64500", "autonomous-system:number", ValueKind::kObservable));
}

TEST(ExtractTest, PatternLiteralsAndBlocks) {
  store::EntryIndex i = Extract("indicator", R"({"type":"indicator","pattern_type":"stix",
      "pattern":"[ipv4-addr:value ISSUBSET '10.0.0.0/8'] OR [domain-name:value IN ('A.example','b.example')] OR [url:value != 'http://x.example/'] OR [file:name NOT = 'n']"})");
  EXPECT_TRUE(Has(i, "10.0.0.0/8", "ipv4-addr:value", ValueKind::kPattern));
  EXPECT_TRUE(Has(i, "a.example", "domain-name:value", ValueKind::kPattern));
  EXPECT_TRUE(Has(i, "b.example", "domain-name:value", ValueKind::kPattern));
  EXPECT_FALSE(Has(i, "http://x.example/", "url:value", ValueKind::kPattern)) << "!= names no value";
  EXPECT_FALSE(Has(i, "n", "file:name", ValueKind::kPattern)) << "NOT names no value";
  ASSERT_EQ(i.ranges.size(), 1u);
  EXPECT_EQ(i.ranges[0].prefix, 8);
  EXPECT_EQ(i.ranges[0].start[0], 10);
  EXPECT_EQ(i.ranges[0].end[1], 255);
}

TEST(ExtractTest, OtherPatternLanguagesAreLeftAlone) {
  store::EntryIndex i = Extract("indicator", R"({"type":"indicator","pattern_type":"snort","pattern":"alert ip 10.0.0.1"})");
  EXPECT_TRUE(i.values.empty());
}

TEST(ExtractTest, ExternalIdsReferencesAndText) {
  store::EntryIndex i = Extract("attack-pattern", R"({"type":"attack-pattern","name":"Phishing",
      "aliases":["Spearphishing"],"description":"Adversaries send mail.",
      "kill_chain_phases":[{"kill_chain_name":"mitre-attack","phase_name":"initial-access"}],
      "external_references":[{"source_name":"mitre-attack","external_id":"T1566","description":"ATT&CK"}]})");
  EXPECT_TRUE(Has(i, "t1566", "external_id", ValueKind::kExternalId));
  EXPECT_EQ(i.names, "Phishing\nSpearphishing");
  EXPECT_NE(i.text.find("Adversaries send mail."), std::string::npos);
  EXPECT_NE(i.text.find("initial-access"), std::string::npos);
  store::EntryIndex r = Extract("relationship", R"({"type":"relationship","relationship_type":"uses",
      "source_ref":"intrusion-set--A","target_ref":"attack-pattern--B"})");
  EXPECT_TRUE(Has(r, "intrusion-set--a", "source_ref", ValueKind::kReference));
  EXPECT_TRUE(Has(r, "attack-pattern--b", "target_ref", ValueKind::kReference));
}

TEST(ExtractTest, LimitsHold) {
  std::string many = "{\"type\":\"indicator\",\"pattern_type\":\"stix\",\"pattern\":\"[domain-name:value IN (";
  for (int n = 0; n < 2000; ++n) many += (n ? ",'d" : "'d") + std::to_string(n) + ".example'";
  many += ")]\"}";
  store::EntryIndex i = Extract("indicator", many);
  EXPECT_EQ(i.values.size(), store::kMaxIndexedValues);
  store::EntryIndex bad = Extract("indicator", "{not json");
  EXPECT_TRUE(bad.values.empty());
  std::string long_value(store::kMaxIndexedValueBytes + 1, 'a');
  store::EntryIndex big = Extract("domain-name", R"({"type":"domain-name","value":")" + long_value + "\"}");
  EXPECT_TRUE(big.values.empty());
}

TEST(ExtractTest, SameInputSameIndex) {
  std::string json = R"({"type":"indicator","name":"n","pattern_type":"stix","pattern":"[ipv4-addr:value = '10.0.0.1']"})";
  store::EntryIndex a = Extract("indicator", json), b = Extract("indicator", json);
  ASSERT_EQ(a.values.size(), b.values.size());
  EXPECT_EQ(a.names, b.names);
  for (size_t k = 0; k < a.values.size(); ++k) EXPECT_EQ(a.values[k].value, b.values[k].value);
}

}  // namespace
}  // namespace kizuna::search
