// Kizuna. Helpers for store tests: a temporary SQLite store and objects built from JSON.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kizuna/base/clock.h"
#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/parser.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {

// A fresh data directory under the test's temp dir, removed at the end. Its name is flat: the
// '/' of a parameterised test's name would leave the folders above it behind.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name =
        StrCat("kizuna-", info->test_suite_name(), "-", info->name(), "-", ::getpid());
    std::replace(name.begin(), name.end(), '/', '-');
    path_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Keeps JSON texts and their indexes alive for NewObject views.
class Objects {
 public:
  NewObject Make(std::string json) {
    texts_.push_back(std::move(json));
    stix::ObjectParser parser;
    auto index = parser.Parse(texts_.back(), stix::Padding::kAbsent);
    EXPECT_TRUE(index.ok()) << index.status() << " in " << texts_.back();
    indexes_.push_back(index.ok() ? *index : stix::ObjectIndex{});
    return {texts_.back(), &indexes_.back()};
  }

 private:
  std::deque<std::string> texts_;
  std::deque<stix::ObjectIndex> indexes_;
};

// SQL that undoes migration 11 (the pull rejections of peer mappings), for tests that take a
// store back to an older schema and let the store migrate it again.
inline constexpr char kUndoMigrationEleven[] =
    "ALTER TABLE peer_mappings DROP COLUMN rejected; ALTER TABLE peer_mappings DROP COLUMN last_rejection;";

// SQL that undoes migration 12 (who added each entry), for the same tests.
inline constexpr char kUndoMigrationTwelve[] =
    "ALTER TABLE entries DROP COLUMN added_by; ALTER TABLE entries DROP COLUMN added_by_nation;";

// SQL that undoes migration 13 (partners' organisations), for the same tests.
inline constexpr char kUndoMigrationThirteen[] = "ALTER TABLE organizations DROP COLUMN partner;";

// SQL that undoes migration 14 (the search index), for the same tests.
inline constexpr char kUndoMigrationSearch[] =
    "DROP TABLE search_values; DROP TABLE search_ranges; DROP TABLE search_text;"
    "DELETE FROM node_state WHERE key = 'search_index_version';";

// SQL that undoes migration 18 (exercise results kept on the node), for the same tests.
inline constexpr char kUndoMigrationEighteen[] = "DROP TABLE exercise_results;";

// SQL that undoes migration 15 (peers' Basic and client certificates, users' certificates),
// for the same tests.
inline constexpr char kUndoMigrationFifteen[] =
    "ALTER TABLE peers DROP COLUMN auth; ALTER TABLE peers DROP COLUMN basic_user;"
    "ALTER TABLE peers DROP COLUMN client_cert; ALTER TABLE peers DROP COLUMN client_key;"
    "DROP TABLE user_certificates;";

// SQL that undoes migration 16 (users' console passwords), for the same tests.
inline constexpr char kUndoMigrationSixteen[] = "ALTER TABLE users DROP COLUMN password_hash;";
// SQL that undoes migration 17 (exercise collections), for the same tests.
inline constexpr char kUndoMigrationSeventeen[] = "ALTER TABLE collections DROP COLUMN exercise;";
// SQL that undoes migration 19 (scheduled feeds), for the same tests.
inline constexpr char kUndoMigrationFeeds[] = "DROP TABLE feeds;";
// SQL that undoes migration 20 (the history of sync passes), for the same tests.
inline constexpr char kUndoMigrationTwenty[] = "DROP TABLE sync_runs;";

// An indicator with the given id suffix (12 hex digits) and modified time.
inline std::string Indicator(std::string_view suffix, std::string_view modified,
                             std::string_view extra = "") {
  return StrCat(R"({"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-)",
                suffix, R"(","created":"2016-01-01T00:00:00.000Z","modified":")", modified,
                R"(","pattern":"[file:name = 'x']","pattern_type":"stix","valid_from":"2016-01-01T00:00:00Z")",
                extra, "}");
}

inline std::string IndicatorId(std::string_view suffix) {
  return StrCat("indicator--8e2e2d2b-17d4-4cbf-938f-", suffix);
}

// Runs `sql` on the database at `path` through a connection of its own: for states the store
// never writes (damage, older schemas).
inline void RawExec(const std::string& path, const std::string& sql) {
  auto db = Connection::Open(path, false);
  ASSERT_TRUE(db.ok()) << db.status();
  absl::Status done = (*db)->Exec(sql);
  ASSERT_TRUE(done.ok()) << done << " in " << sql;
}

// Returns the octets of the file at `path`, or "" when there is none.
inline std::string FileBytes(const std::string& path) {
  auto text = ReadFile(path, uint64_t{1} << 32);
  return text.ok() ? std::string(std::string_view(*text)) : std::string();
}

// Returns the leaf pages of table or index `name` in order (SQLite's dbstat), and the page
// size.
inline std::pair<std::vector<int64_t>, int64_t> LeafPages(const std::string& path, std::string_view name) {
  auto db = Connection::Open(path, false);
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return {};
  auto size = (*db)->Cached("PRAGMA page_size");
  EXPECT_TRUE(size.ok() && *(*size)->Step());
  int64_t page_size = (*size)->Int(0);
  (*size)->Reset();
  auto pages = (*db)->Cached(
      StrCat("SELECT pageno FROM dbstat WHERE name = '", name, "' AND pagetype = 'leaf' ORDER BY pageno"));
  EXPECT_TRUE(pages.ok()) << pages.status();
  std::vector<int64_t> leaves;
  while (pages.ok() && (*pages)->Step().value_or(false)) leaves.push_back((*pages)->Int(0));
  return {leaves, page_size};
}

// Returns a leaf page of `table` from the middle of its pages and the page size; {0, 0} when
// the table has no leaf pages.
inline std::pair<int64_t, int64_t> MiddleLeafPage(const std::string& path, std::string_view table) {
  auto [leaves, page_size] = LeafPages(path, table);
  if (leaves.empty()) return {0, 0};
  return {leaves[leaves.size() / 2], page_size};
}

// Overwrites page `page` (1-based) of the database file at `path` with zeros, as a failing disk
// or a bad copy would. REQUIRES: no connection is open on it.
inline void ZeroPage(const std::string& path, int64_t page, int64_t page_size) {
  ASSERT_GT(page, 1);
  int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0) << path;
  std::string zeros(static_cast<size_t>(page_size), '\0');
  ASSERT_EQ(::pwrite(fd, zeros.data(), zeros.size(), (page - 1) * page_size), page_size);
  ::close(fd);
}

}  // namespace kizuna::store
