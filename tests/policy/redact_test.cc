// Kizuna.
#include "kizuna/policy/redact.h"

#include <gtest/gtest.h>

namespace kizuna::policy {
namespace {

constexpr char kObject[] =
    R"({"type":"indicator","id":"indicator--1","description":"secret","name":"n",)"
    R"("kill_chain_phases":[{"kill_chain_name":"k","phase_name":"p"}],)"
    R"("extensions":{"x-ext":{"secret":"s","open":"o"}},)"
    R"("granular_markings":[{"marking_ref":"marking-definition--r","selectors":["description","name"]},)"
    R"({"lang":"ja","selectors":["name"]}]})";

std::string RedactOrDie(std::vector<std::string> selectors) {
  absl::StatusOr<std::string> out = Redact(kObject, selectors);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.value_or("");
}

TEST(RedactTest, RemovesATopLevelPropertyAndItsSelectors) {
  EXPECT_EQ(RedactOrDie({"description"}),
            R"({"type":"indicator","id":"indicator--1","name":"n",)"
            R"("kill_chain_phases":[{"kill_chain_name":"k","phase_name":"p"}],)"
            R"("extensions":{"x-ext":{"secret":"s","open":"o"}},)"
            R"("granular_markings":[{"marking_ref":"marking-definition--r","selectors":["name"]},)"
            R"({"lang":"ja","selectors":["name"]}]})");
}

TEST(RedactTest, AListSelectorRemovesTheWholeList) {
  std::string out = RedactOrDie({"kill_chain_phases.[0].phase_name"});
  EXPECT_EQ(out.find("kill_chain_phases"), std::string::npos) << out;
  EXPECT_NE(out.find("\"description\""), std::string::npos) << out;
}

TEST(RedactTest, NestedPropertyAndEmptiedParents) {
  std::string out = RedactOrDie({"extensions.x-ext.secret"});
  EXPECT_NE(out.find(R"("extensions":{"x-ext":{"open":"o"}})"), std::string::npos) << out;
  out = RedactOrDie({"extensions.x-ext.secret", "extensions.x-ext.open"});
  EXPECT_EQ(out.find("extensions"), std::string::npos) << out;
}

TEST(RedactTest, MarkingsLeftWithoutSelectorsGo) {
  std::string out = RedactOrDie({"description", "name"});
  EXPECT_EQ(out.find("granular_markings"), std::string::npos) << out;
}

TEST(RedactTest, ReadsGranularMarkings) {
  absl::StatusOr<std::vector<GranularMarking>> g = ReadGranularMarkings(kObject);
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(g->size(), 1u) << "language markings are skipped";
  EXPECT_EQ((*g)[0].marking_ref, "marking-definition--r");
  EXPECT_EQ((*g)[0].selectors, (std::vector<std::string>{"description", "name"}));
  EXPECT_TRUE(ReadGranularMarkings(R"({"type":"x"})")->empty());
  EXPECT_FALSE(ReadGranularMarkings(R"({"granular_markings":{}})").ok());
  EXPECT_FALSE(ReadGranularMarkings(R"({"granular_markings":[{"marking_ref":"m"}]})").ok());
}

TEST(RedactTest, Errors) {
  EXPECT_EQ(Redact("[1]", {}).status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> bad = {"[0]"};
  absl::Status s = Redact(kObject, bad).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'[0]'"), absl::string_view::npos) << s;
}

}  // namespace
}  // namespace kizuna::policy
