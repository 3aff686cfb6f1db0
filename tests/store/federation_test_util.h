// Kizuna. Helpers for the federation tests (peers, pulls, feeds) that run once per backend: a
// fresh SQLite or PostgreSQL store, seen through the interfaces both implement.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kizuna/base/status.h"
#include "kizuna/store/feeds.h"
#include "kizuna/store/peer_tokens.h"
#include "kizuna/store/peers.h"
#include "kizuna/store/postgres/pg_store.h"
#include "pg_test_util.h"
#include "store_test_util.h"

namespace kizuna::store {

enum class StoreBackend { kSqlite, kPostgres };

inline std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& param) {
  return param.param == StoreBackend::kSqlite ? "sqlite" : "postgres";
}

// A store of one backend on a database of its own. The key that seals peers' and feeds'
// secrets is the file peer-tokens.key of `dir` for both (SQLite's place for it).
class FederationStore {
 public:
  FederationStore(StoreBackend backend, const TempDir& dir, Clock& clock)
      : backend_(backend), dir_(dir), clock_(clock) {
    if (backend_ == StoreBackend::kPostgres) pg_database_.emplace();
  }

  // Opens the store (again, closing the one open). REQUIRES for PostgreSQL: PgTestServerUrl().
  absl::Status Open() {
    Close();
    if (backend_ == StoreBackend::kPostgres) {
      KZ_ASSIGN_OR_RETURN(std::unique_ptr<PgStore> s, OpenPg());
      peers_ = s.get();
      feeds_ = s.get();
      store_ = std::move(s);
    } else {
      KZ_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> s,
                          SqliteStore::Open(dir_.File("kizuna.db"), clock_));
      sqlite_ = s.get();
      peers_ = s.get();
      feeds_ = s.get();
      store_ = std::move(s);
    }
    return absl::OkStatus();
  }
  void Close() {
    store_.reset();
    sqlite_ = nullptr;
    peers_ = nullptr;
    feeds_ = nullptr;
  }
  // Another PgStore on the same database, as another process would open it. The key is made
  // first, as `kizuna init --store` makes it (a PgStore never makes one).
  absl::StatusOr<std::unique_ptr<PgStore>> OpenPg() {
    PgOptions options;
    options.peer_key_path = dir_.File("peer-tokens.key");
    KZ_RETURN_IF_ERROR(TokenSealer::LoadOrCreate(options.peer_key_path).status());
    return PgStore::Open(pg_database_->url(), clock_, options);
  }

  // Another store on the same database, as another process (`kizuna sync run --once`) opens
  // it: a PgStore (OpenPg), or an SqliteStore on the same file.
  absl::StatusOr<std::unique_ptr<Database>> OpenAnother() {
    if (backend_ == StoreBackend::kPostgres) {
      KZ_ASSIGN_OR_RETURN(std::unique_ptr<PgStore> s, OpenPg());
      return std::unique_ptr<Database>(std::move(s));
    }
    KZ_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> s,
                        SqliteStore::Open(dir_.File("kizuna.db"), clock_));
    return std::unique_ptr<Database>(std::move(s));
  }

  Store& store() { return *store_; }
  PeerStore& peers() { return *peers_; }
  FeedStore& feeds() { return *feeds_; }

  // The audit log, oldest first (actor, action, target, details).
  absl::StatusOr<std::vector<AuditEvent>> Audit() {
    if (sqlite_ != nullptr) return sqlite_->ReadAudit({});
    KZ_ASSIGN_OR_RETURN(std::unique_ptr<pg::Connection> db,
                        pg::Connection::Open(pg_database_->url()));
    KZ_ASSIGN_OR_RETURN(
        pg::Result r, db->Run("read the audit log",
                              "SELECT actor, action, target, details FROM audit_log ORDER BY seq"));
    std::vector<AuditEvent> events;
    for (int i = 0; i < r.rows(); ++i) {
      AuditEvent& e = events.emplace_back();
      e.actor = r.Text(i, 0);
      e.action = r.Text(i, 1);
      e.target = r.Text(i, 2);
      e.details = r.Text(i, 3);
    }
    return events;
  }

  // The first `columns` columns, integers, of the rows `sql` returns (the same SQL on both
  // backends).
  std::vector<std::vector<int64_t>> IntRows(const std::string& sql, int columns) {
    std::vector<std::vector<int64_t>> rows;
    if (backend_ == StoreBackend::kSqlite) {
      auto db = Connection::Open(dir_.File("kizuna.db"), true);
      EXPECT_TRUE(db.ok()) << db.status();
      if (!db.ok()) return rows;
      auto st = (*db)->Cached(sql);
      EXPECT_TRUE(st.ok()) << st.status();
      if (!st.ok()) return rows;
      while ((*st)->Step().value_or(false)) {
        std::vector<int64_t>& row = rows.emplace_back();
        for (int c = 0; c < columns; ++c) row.push_back((*st)->Int(c));
      }
      (*st)->Reset();
      return rows;
    }
    auto db = pg::Connection::Open(pg_database_->url());
    EXPECT_TRUE(db.ok()) << db.status();
    if (!db.ok()) return rows;
    auto r = (*db)->Run("test query", sql);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return rows;
    for (int i = 0; i < r->rows(); ++i) {
      std::vector<int64_t>& row = rows.emplace_back();
      for (int c = 0; c < columns; ++c) row.push_back(r->Int(i, c));
    }
    return rows;
  }

  // Whether `text` is anywhere in the database: SQLite, in its files' octets; PostgreSQL, in
  // the peers' and feeds' rows.
  bool DatabaseHolds(std::string_view text) {
    if (backend_ == StoreBackend::kSqlite) {
      for (std::string_view file : {"kizuna.db", "kizuna.db-wal"}) {
        if (FileBytes(dir_.File(file)).find(text) != std::string::npos) return true;
      }
      return false;
    }
    auto db = pg::Connection::Open(pg_database_->url());
    EXPECT_TRUE(db.ok()) << db.status();
    if (!db.ok()) return true;
    auto r = (*db)->Run("find a secret",
                        "SELECT (SELECT count(*) FROM peers p WHERE strpos(p::text, $1) > 0"
                        " OR position(convert_to($1, 'UTF8') in sealed_token) > 0)"
                        " + (SELECT count(*) FROM feeds f WHERE strpos(f::text, $1) > 0"
                        " OR position(convert_to($1, 'UTF8') in sealed_secret) > 0)",
                        {pg::Param::Text(text)});
    EXPECT_TRUE(r.ok()) << r.status();
    return !r.ok() || r->Int(0, 0) > 0;
  }

 private:
  const StoreBackend backend_;
  const TempDir& dir_;
  Clock& clock_;
  std::optional<PgTestDatabase> pg_database_;
  std::unique_ptr<Store> store_;
  SqliteStore* sqlite_ = nullptr;
  PeerStore* peers_ = nullptr;
  FeedStore* feeds_ = nullptr;
};

}  // namespace kizuna::store
