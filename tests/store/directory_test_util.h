// Kizuna. A fixture for directory tests: a temporary SQLite database with one collection.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "kizuna/base/clock.h"
#include "kizuna/identity/principal.h"
#include "kizuna/store/directory.h"
#include "kizuna/store/sqlite/sqlite_store.h"
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

class DirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenAnother();
    ASSERT_TRUE(db_->CreateApiRoot({"root", "Root", "", 0}).ok());
    auto c = db_->CreateCollection({"", "root", "intel", "Intel", "", 0});
    ASSERT_TRUE(c.ok()) << c.status();
    collection_ = c->id;
  }

  // Opens another store on the same file: stands for another process.
  std::unique_ptr<SqliteStore> OpenAnother() {
    auto s = SqliteStore::Open(path(), clock_);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }

  std::string path() const { return dir_.File("kizuna.db"); }

  Directory& directory() { return *db_; }

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
  FakeClock clock_{kDirectoryStart};
  std::unique_ptr<SqliteStore> db_;
  std::string collection_;
};

}  // namespace kizuna::store
