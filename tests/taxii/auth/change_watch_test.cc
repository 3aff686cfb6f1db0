// Kizuna.
#include "kizuna/taxii/auth/change_watch.h"

#include <gtest/gtest.h>

#include "directory_test_util.h"

namespace kizuna::taxii {
namespace {

constexpr int64_t kInterval = 1'000'000;

class ChangeWatchTest : public store::DirectoryTest {};

TEST_F(ChangeWatchTest, EpochStaysWhileNothingChanges) {
  ChangeWatch watch(directory(), clock_, kInterval);
  auto e0 = watch.Epoch();
  ASSERT_TRUE(e0.ok()) << e0.status();
  EXPECT_EQ(*watch.Epoch(), *e0);
  clock_.Advance(10 * kInterval);
  EXPECT_EQ(*watch.Epoch(), *e0);
  // Audit appends are no change.
  ASSERT_TRUE(directory().AppendAudit({0, 0, "alice", "object.add", "c", "", "{}"}).ok());
  clock_.Advance(10 * kInterval);
  EXPECT_EQ(*watch.Epoch(), *e0);
}

TEST_F(ChangeWatchTest, ChangesThroughTheSameDirectoryAreSeenAtOnce) {
  ChangeWatch watch(directory(), clock_, kInterval);
  uint64_t e0 = *watch.Epoch();
  Org("NISC", "JPN");
  EXPECT_GT(*watch.Epoch(), e0);
}

TEST_F(ChangeWatchTest, ChangesByAnotherProcessAreSeenWithinTheInterval) {
  ChangeWatch watch(directory(), clock_, kInterval);
  uint64_t e0 = *watch.Epoch();
  auto other = OpenAnother();
  ASSERT_TRUE(DirectoryOf(*other).CreateGroup("cli", "jpn-usa").ok());
  EXPECT_EQ(*watch.Epoch(), e0);  // not yet due: the documented staleness
  clock_.Advance(kInterval);
  EXPECT_GT(*watch.Epoch(), e0);
}

TEST_F(ChangeWatchTest, ZeroIntervalChecksEveryTime) {
  ChangeWatch watch(directory(), clock_, 0);
  uint64_t e0 = *watch.Epoch();
  auto other = OpenAnother();
  ASSERT_TRUE(DirectoryOf(*other).CreateGroup("cli", "jpn-usa").ok());
  EXPECT_GT(*watch.Epoch(), e0);
}

TEST_F(ChangeWatchTest, ClockGoingBackChecksAgain) {
  ChangeWatch watch(directory(), clock_, kInterval);
  uint64_t e0 = *watch.Epoch();
  auto other = OpenAnother();
  ASSERT_TRUE(DirectoryOf(*other).CreateGroup("cli", "jpn-usa").ok());
  clock_.Advance(-5);
  EXPECT_GT(*watch.Epoch(), e0);
}

}  // namespace
}  // namespace kizuna::taxii
