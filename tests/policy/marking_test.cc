// Kizuna.
#include "kizuna/policy/marking.h"

#include <gtest/gtest.h>

#include "kizuna/base/strings.h"
#include "kizuna/stix/exercise_marking.h"

namespace kizuna::policy {
namespace {

std::string Definition(std::string_view body) {
  return StrCat(R"({"type":"marking-definition","spec_version":"2.1","id":"marking-definition--)"
                R"(1a000000-0000-4000-8000-000000000001","created":"2026-01-01T00:00:00.000Z",)",
                body, "}");
}

TEST(MarkingTest, StatementDefinitions) {
  // Every form is in tests/policy/cases/statements.case; here, how each kind lands in facts.
  absl::StatusOr<MarkingFacts> f = ReadMarkingDefinition(
      Definition(R"("definition_type":"statement","definition":{"statement":"SECRET//REL TO KOR,jpn-usa-kor//FOUO"})"));
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE(f->understood);
  ASSERT_TRUE(f->releasable_to);
  EXPECT_EQ(f->releasable_to->nations, (std::vector<std::string>{"KOR"}));
  EXPECT_EQ(f->releasable_to->communities, (std::vector<std::string>{"jpn-usa-kor"}));
  for (std::string_view statement : {"REL TO XX!", "SECRET//NOFORN", "rel to usa, jpn", "REL TO: USA, JPN"}) {
    f = ReadMarkingDefinition(
        Definition(StrCat(R"("definition_type":"statement","definition":{"statement":")", statement, "\"}")));
    ASSERT_TRUE(f.ok()) << f.status();
    EXPECT_FALSE(f->understood) << statement << ": objects carrying it must be denied";
  }
}

TEST(MarkingTest, OneDefinitionSaysEachThingOnce) {
  // A statement and an extension that both give a list, or two TLP levels: neither wins.
  std::string rel_ext = StrCat(R"(")", kReleasableToExtensionId,
                               R"(":{"extension_type":"property-extension","releasable_to":["USA","JPN","KOR"]})");
  absl::StatusOr<MarkingFacts> f = ReadMarkingDefinition(Definition(StrCat(
      R"("definition_type":"statement","definition":{"statement":"REL TO JPN"},"extensions":{)", rel_ext, "}")));
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_FALSE(f->understood);
  f = ReadMarkingDefinition(Definition(StrCat(
      R"("definition_type":"tlp","definition":{"tlp":"red"},"extensions":{")", kTlp2ExtensionId,
      R"(":{"extension_type":"property-extension","tlp_2_0":"clear"}})")));
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_FALSE(f->understood);
  // A list beside a TLP level is two different things, both applied.
  f = ReadMarkingDefinition(Definition(StrCat(
      R"("definition_type":"tlp","definition":{"tlp":"amber"},"extensions":{)", rel_ext, "}")));
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE(f->understood);
  EXPECT_EQ(f->tlp, TlpLevel::kAmber);
  EXPECT_TRUE(f->releasable_to);
}

TEST(MarkingTest, ReleaseEntries) {
  identity::Releasability r;
  EXPECT_TRUE(identity::AddReleaseEntry(" USA ", r).ok());
  EXPECT_TRUE(identity::AddReleaseEntry("jpn-usa", r).ok());
  absl::Status bad = identity::AddReleaseEntry("Japan", r);
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("'Japan'"), absl::string_view::npos) << bad;
  EXPECT_EQ(r.nations, (std::vector<std::string>{"USA"}));
  EXPECT_EQ(r.communities, (std::vector<std::string>{"jpn-usa"}));
  EXPECT_TRUE(identity::IsCommunityName("jpn-usa-kor"));
  EXPECT_FALSE(identity::IsCommunityName("JPN-USA"));
  EXPECT_FALSE(identity::IsCommunityName(""));
  EXPECT_FALSE(identity::IsCommunityName(std::string(65, 'a')));
}

TEST(MarkingTest, Tlp1AndTlp2Definitions) {
  absl::StatusOr<MarkingFacts> f =
      ReadMarkingDefinition(Definition(R"("definition_type":"tlp","definition":{"tlp":"white"})"));
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE(f->understood);
  EXPECT_EQ(f->tlp, TlpLevel::kClear);
  f = ReadMarkingDefinition(Definition(StrCat(R"("extensions":{")", kTlp2ExtensionId,
                                              R"(":{"extension_type":"property-extension","tlp_2_0":"amber+strict"}})")));
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE(f->understood);
  EXPECT_EQ(f->tlp, TlpLevel::kAmberStrict);
  f = ReadMarkingDefinition(Definition(R"("definition_type":"tlp","definition":{"tlp":"purple"})"));
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->understood);
}

TEST(MarkingTest, KizunaExtensions) {
  absl::StatusOr<MarkingFacts> f = ReadMarkingDefinition(Definition(StrCat(
      R"("extensions":{")", kReleasableToExtensionId,
      R"(":{"extension_type":"property-extension","releasable_to":["USA","jpn-usa"]}})")));
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE(f->understood);
  ASSERT_TRUE(f->releasable_to);
  EXPECT_EQ(f->releasable_to->nations, (std::vector<std::string>{"USA"}));
  EXPECT_TRUE(f->Restricts());
  f = ReadMarkingDefinition(Definition(StrCat(R"("extensions":{")", kRecipientsExtensionId,
                                              R"(":{"extension_type":"property-extension","recipients":["usa"]}})")));
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->understood) << "a recipient must be an identity id";
  f = ReadMarkingDefinition(Definition(StrCat(R"("extensions":{")", kReleasableToExtensionId,
                                              R"(":{"extension_type":"property-extension","releasable_to":[]}})")));
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->understood) << "an empty list";
}

TEST(MarkingTest, CopyrightIsInformational) {
  absl::StatusOr<MarkingFacts> f = ReadMarkingDefinition(
      Definition(R"("definition_type":"statement","definition":{"statement":"Copyright 2026 JPCERT"})"));
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE(f->understood);
  EXPECT_TRUE(f->informational);
  EXPECT_FALSE(f->Restricts());
}

TEST(MarkingTest, PredefinedIdsNeedNoObject) {
  std::optional<MarkingFacts> red = PredefinedMarking("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed");
  ASSERT_TRUE(red);
  EXPECT_EQ(red->tlp, TlpLevel::kRed);
  EXPECT_FALSE(PredefinedMarking("marking-definition--1a000000-0000-4000-8000-000000000001"));
}

// The exercise marking is a fixed statement every node knows: it restricts nothing, and it
// resolves whoever introduced its definition on the node (a white cell's user, say).
TEST(MarkingTest, TheExerciseMarkingIsPredefinedAndRestrictsNothing) {
  std::optional<MarkingFacts> exercise = PredefinedMarking(stix::kExerciseMarkingId);
  ASSERT_TRUE(exercise);
  EXPECT_TRUE(exercise->understood);
  EXPECT_TRUE(exercise->informational);
  EXPECT_FALSE(exercise->Restricts());
  EXPECT_TRUE(exercise->local_author.empty());
}

TEST(MarkingTest, NotAMarkingDefinition) {
  EXPECT_EQ(ReadMarkingDefinition("{").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadMarkingDefinition(R"({"type":"indicator"})").status().code(), absl::StatusCode::kInvalidArgument);
  absl::StatusOr<MarkingFacts> empty = ReadMarkingDefinition(R"({"type":"marking-definition"})");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->understood);
}

}  // namespace
}  // namespace kizuna::policy
