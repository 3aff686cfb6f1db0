// Kizuna. Which peers take part in an exercise (policy/exercise.h). Issue 23, item 3.
#include "kizuna/policy/exercise.h"

#include <gtest/gtest.h>

namespace kizuna::policy {
namespace {

store::Collection Exercise(std::vector<std::string> communities) {
  store::Collection c;
  c.id = "5a000000-0000-4000-8000-000000000001";
  c.alias = "pacific-shield";
  c.communities = std::move(communities);
  c.exercise = true;
  return c;
}

store::Peer PeerIn(std::vector<std::string> communities) {
  store::Peer p;
  p.name = "usa";
  p.communities = std::move(communities);
  return p;
}

TEST(ExerciseTest, APeerInOneOfTheCommunitiesTakesPart) {
  store::Collection c = Exercise({"pacific-shield", "jpn-usa"});
  EXPECT_TRUE(TakesPartInExercise(c, PeerIn({"five-eyes", "jpn-usa"})));
  EXPECT_TRUE(CheckExerciseSync(c, PeerIn({"pacific-shield"})).ok());
}

TEST(ExerciseTest, APeerOutsideTheCommunitiesIsRefusedWithTheRule) {
  store::Collection c = Exercise({"pacific-shield"});
  absl::Status s = CheckExerciseSync(c, PeerIn({"jpn-usa"}));
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("collection pacific-shield is an exercise collection and peer usa"),
            absl::string_view::npos)
      << s.message();
  EXPECT_NE(s.message().find("rule 6"), absl::string_view::npos);
}

TEST(ExerciseTest, AnExerciseCollectionWithoutCommunitiesHasNoPeer) {
  store::Collection c = Exercise({});
  EXPECT_FALSE(TakesPartInExercise(c, PeerIn({"pacific-shield"})));
  EXPECT_EQ(CheckExerciseSync(c, PeerIn({"pacific-shield"})).code(), absl::StatusCode::kPermissionDenied);
}

TEST(ExerciseTest, ProductionCollectionsSyncWithAnyPeer) {
  store::Collection c = Exercise({"pacific-shield"});
  c.exercise = false;
  EXPECT_TRUE(CheckExerciseSync(c, PeerIn({})).ok());
}

}  // namespace
}  // namespace kizuna::policy
