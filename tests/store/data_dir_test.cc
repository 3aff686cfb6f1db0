// Kizuna. The data directory's modes: 0700 for it, 0600 for Kizuna's files (finding 8 of
// issue 16).
#include "kizuna/store/data_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "kizuna/base/file.h"
#include "kizuna/store/open.h"
#include "store_test_util.h"

namespace kizuna::store {
namespace {

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

class DataDirTest : public ::testing::Test {
 protected:
  void SetUp() override { old_umask_ = ::umask(022); }  // what most accounts have
  void TearDown() override { ::umask(old_umask_); }

  TempDir tmp_;
  std::string dir_ = tmp_.File("data");
  mode_t old_umask_ = 0;
  FakeClock clock_{1700000000000000};
};

TEST_F(DataDirTest, CreatesTheDirectoryAndDatabaseClosedToOthers) {
  auto changed = PrepareDataDir(dir_, DirAction::kCreate);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_TRUE(changed->empty()) << "nothing was open before";
  EXPECT_EQ(ModeOf(dir_), 0700u);
  EXPECT_EQ(ModeOf(DataDirFile(dir_, kDatabaseFile)), 0600u);
}

TEST_F(DataDirTest, SqliteFilesTakeTheDatabaseMode) {
  auto store = InitDataDir(dir_, "intel", clock_);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->CreateCollection({"", "intel", "c", "C", "", 0}).ok());
  // While the store is open, SQLite keeps its write-ahead log and shared memory beside it.
  for (std::string_view name : {"kizuna.db", "kizuna.db-wal", "kizuna.db-shm"}) {
    EXPECT_EQ(ModeOf(DataDirFile(dir_, name)), 0600u) << name;
  }
}

TEST_F(DataDirTest, OpeningTightensAndTellsWhatItChanged) {
  ASSERT_TRUE(PrepareDataDir(dir_, DirAction::kCreate).ok());
  const std::string db = DataDirFile(dir_, kDatabaseFile),
                    key = DataDirFile(dir_, kNextTokenKeyFile);
  ASSERT_TRUE(WriteFileAtomically(key, "k").ok());
  const std::string other = DataDirFile(dir_, "tls-cert.pem");
  ASSERT_TRUE(WriteFileAtomically(other, "c").ok());
  ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(db.c_str(), 0644), 0);
  ASSERT_EQ(::chmod(key.c_str(), 0640), 0);
  ASSERT_EQ(::chmod(other.c_str(), 0644), 0);

  auto loose = LooseModes(dir_);
  ASSERT_TRUE(loose.ok()) << loose.status();
  EXPECT_EQ(loose->size(), 3u);
  EXPECT_EQ(ModeOf(db), 0644u) << "LooseModes changes nothing";

  std::vector<ModeChange> changed;
  auto store = OpenDatabase(dir_, clock_, &changed);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_EQ(changed.size(), 3u);
  EXPECT_EQ(changed[0].path, dir_);
  EXPECT_EQ(changed[0].from, 0755u);
  EXPECT_EQ(changed[0].to, 0700u);
  EXPECT_EQ(changed[1].path, db);
  EXPECT_EQ(changed[2].path, key);
  EXPECT_EQ(changed[2].to, 0600u);
  EXPECT_EQ(ModeOf(dir_), 0700u);
  EXPECT_EQ(ModeOf(db), 0600u);
  EXPECT_EQ(ModeOf(key), 0600u);
  EXPECT_EQ(ModeOf(other), 0644u) << "files that are not Kizuna's are left alone";
  EXPECT_TRUE(LooseModes(dir_)->empty());
  EXPECT_EQ(ModeText(0640), "0640");
}

TEST_F(DataDirTest, OpeningNeedsAnInitialisedDirectory) {
  auto changed = PrepareDataDir(dir_, DirAction::kOpen);
  EXPECT_EQ(changed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(changed.status().message().find("kizuna init"), absl::string_view::npos)
      << changed.status();
}

TEST_F(DataDirTest, CreateFileExclusivelyKeepsTheFirst) {
  const std::string path = tmp_.File("key");
  ASSERT_TRUE(CreateFileExclusively(path, "first").ok());
  EXPECT_EQ(CreateFileExclusively(path, "second").code(), absl::StatusCode::kAlreadyExists);
  auto text = ReadFile(path, 100);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(std::string_view(*text), "first");
  EXPECT_EQ(ModeOf(path), 0600u);
}

}  // namespace
}  // namespace kizuna::store
