// Kizuna. A fixture for directory tests: a fresh database with one collection, SQLite or
// PostgreSQL (the cases run once per backend: TEST_P, INSTANTIATE_DIRECTORY_BACKENDS).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "kizuna/base/clock.h"
#include "kizuna/identity/principal.h"
#include "kizuna/store/directory.h"
#include "kizuna/store/postgres/pg_store.h"
#include "kizuna/store/sqlite/sqlite_store.h"
#include "pg_test_util.h"
#include "store_test_util.h"

namespace kizuna::store {

// Returns true if `text` contains `part` (GoogleTest without gmock).
inline bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}
// Returns true if the message of `status` contains `part`.
inline bool Contains(const absl::Status& status, std::string_view part) {
  return Contains(View(status.message()), part);
}

inline constexpr int64_t kDirectoryStart = 1700000000000000;  // 2023-11-14, in µs

enum class DirectoryBackend { kSqlite, kPostgres };

// The directory cases run once per backend (TEST_P); under TEST_F (the cases of SQLite's own
// machinery, and the fixtures built on this one elsewhere) the database is SQLite.
class DirectoryTest : public ::testing::TestWithParam<DirectoryBackend> {
 protected:
  virtual DirectoryBackend backend() const {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    return test != nullptr && test->value_param() != nullptr ? GetParam()
                                                             : DirectoryBackend::kSqlite;
  }
  void SetUp() override {
    if (backend() == DirectoryBackend::kPostgres) {
      if (!PgTestServerUrl()) GTEST_SKIP() << kPgMissing;
      pg_database_.emplace();
    }
    db_ = OpenAnother();
    ASSERT_NE(db_, nullptr);
    ASSERT_TRUE(db_->CreateApiRoot({"root", "Root", "", 0}).ok());
    auto c = db_->CreateCollection({"", "root", "intel", "Intel", "", 0});
    ASSERT_TRUE(c.ok()) << c.status();
    collection_ = c->id;
  }

  // Opens another store on the same database: stands for another process.
  std::unique_ptr<Store> OpenAnother() {
    if (backend() == DirectoryBackend::kPostgres) {
      auto s = PgStore::Open(pg_database_->url(), clock_);
      EXPECT_TRUE(s.ok()) << s.status();
      return s.ok() ? std::unique_ptr<Store>(std::move(*s)) : nullptr;
    }
    auto s = SqliteStore::Open(path(), clock_);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::unique_ptr<Store>(std::move(*s)) : nullptr;
  }

  // The SQLite database's file.
  std::string path() const { return dir_.File("kizuna.db"); }

  // The directory of `store` (both backends' stores are directories too).
  static Directory& DirectoryOf(Store& store) { return dynamic_cast<Directory&>(store); }
  Directory& directory() { return DirectoryOf(*db_); }

  // Creates organisation `name` of `nation`; returns its id.
  std::string Org(std::string name, std::string nation) {
    auto org = directory().CreateOrganization("cli", {std::move(name), std::move(nation), ""});
    EXPECT_TRUE(org.ok()) << org.status();
    return org.ok() ? org->id : "";
  }

  // Returns the last audit event, or an empty one.
  AuditEvent LastEvent() {
    auto events = directory().ReadAudit({.after_seq = 0, .limit = 1, .newest = true});
    EXPECT_TRUE(events.ok()) << events.status();
    return events.ok() && !events->empty() ? events->back() : AuditEvent{};
  }

  int64_t AuditCount() {
    auto events = directory().ReadAudit({.after_seq = 0, .limit = kMaxAuditPage, .newest = false});
    return events.ok() ? static_cast<int64_t>(events->size()) : -1;
  }

  // An Argon2-looking hash: the directory stores it without checking it.
  static constexpr const char* kHash = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA";

  TempDir dir_;
  std::optional<PgTestDatabase> pg_database_;
  FakeClock clock_{kDirectoryStart};
  std::unique_ptr<Store> db_;
  std::string collection_;
};

// Runs the TEST_P cases of `fixture` on SQLite and PostgreSQL (Backends/<fixture>.<case>/sqlite
// and /postgres).
#define INSTANTIATE_DIRECTORY_BACKENDS(fixture)                                  \
  INSTANTIATE_TEST_SUITE_P(                                                      \
      Backends, fixture,                                                         \
      ::testing::Values(DirectoryBackend::kSqlite, DirectoryBackend::kPostgres), \
      [](const ::testing::TestParamInfo<DirectoryBackend>& param) {              \
        return param.param == DirectoryBackend::kSqlite ? "sqlite" : "postgres"; \
      })

}  // namespace kizuna::store
