// Kizuna.
#include "kizuna/node/preflight.h"

#include <gtest/gtest.h>

#include "../store/store_test_util.h"
#include "kizuna/base/file.h"
#include "kizuna/store/data_dir.h"
#include "kizuna/store/open.h"

namespace kizuna::node {
namespace {

TEST(PreflightTest, ATokenKeyIsMadeOnceAndKept) {
  store::TempDir dir;
  SeededRandom random(1);
  absl::StatusOr<taxii::NextTokens::Key> first = NextTokenKey(dir.File(""), random);
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<taxii::NextTokens::Key> again = NextTokenKey(dir.File(""), random);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*first, *again);
  ASSERT_TRUE(
      WriteFileAtomically(store::DataDirFile(dir.File(""), store::kNextTokenKeyFile), "short")
          .ok());
  absl::StatusOr<taxii::NextTokens::Key> damaged = NextTokenKey(dir.File(""), random);
  EXPECT_EQ(damaged.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(damaged.status().message().find("not a 32-byte key"), std::string::npos)
      << damaged.status();
}

TEST(PreflightTest, TheStartCheckPassesAHealthyStoreAndRefusesADamagedOne) {
  store::TempDir dir;
  FakeClock clock(1700000000000000);
  const std::string data_dir = dir.File("node");
  {
    auto store = store::InitDataDir(data_dir, "intel", clock);
    ASSERT_TRUE(store.ok()) << store.status();
    auto c = (*store)->CreateCollection({"", "intel", "c", "C", "", 0});
    ASSERT_TRUE(c.ok()) << c.status();
    store::Objects objects;
    std::vector<store::NewObject> batch;
    for (int i = 0; i < 3000; ++i) {
      batch.push_back(
          objects.Make(store::Indicator(fmt::format("{:012d}", i), "2016-01-01T00:00:00.000Z")));
    }
    ASSERT_TRUE((*store)->AddObjects(c->id, batch).ok());
  }
  std::vector<std::string> notes;
  EXPECT_TRUE(StartCheck(data_dir, 30, clock, notes).ok());
  EXPECT_TRUE(notes.empty());
  const std::string db = store::DataDirFile(data_dir, store::kDatabaseFile);
  auto [leaves, page_size] = store::LeafPages(db, "entries_current");
  ASSERT_FALSE(leaves.empty());
  store::ZeroPage(db, leaves.front(), page_size);
  EXPECT_TRUE(StartCheck(data_dir, 0, clock, notes).ok()) << "a budget of 0 checks nothing";
  absl::Status damaged = StartCheck(data_dir, 30, clock, notes);
  EXPECT_EQ(damaged.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(damaged.message().find("is damaged, so it is not served"), std::string::npos)
      << damaged;
}

}  // namespace
}  // namespace kizuna::node
