// Kizuna. A thin, owning wrapper over one SQLite connection and its prepared statements.
#pragma once

// Connection owns a sqlite3 handle; Statement owns a sqlite3_stmt. Errors come back as
// absl::Status with SQLite's message, never as exceptions. Statements prepared through
// Connection::Cached() are kept for the connection's lifetime, keyed by their SQL text. A
// connection can flag a damaged database it meets (WatchCorruption), for the store's health.
// Thread-safety: a Connection and its statements belong to one thread at a time.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "absl/status/statusor.h"

struct sqlite3;
struct sqlite3_stmt;

namespace kizuna::store {

class Statement {
 public:
  Statement() = default;
  // `corruption_seen`, when not null, is set when a step meets a damaged database.
  explicit Statement(sqlite3_stmt* stmt, std::atomic<bool>* corruption_seen = nullptr);

  // Binders take 1-based parameter indexes. Text and blobs are copied by SQLite.
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view text);
  Statement& BindBlob(int index, std::string_view bytes);
  Statement& BindNull(int index);
  // Bind without copying: REQUIRES the bytes stay valid until the statement has run
  // (Run() returned, or Step() returned false) or is reset.
  Statement& BindView(int index, std::string_view text);
  Statement& BindBlobView(int index, std::string_view bytes);

  // Runs one step. Returns true when a row is ready, false when done, or the error.
  absl::StatusOr<bool> Step();
  // Runs to completion, ignoring rows.
  absl::Status Run();
  // Resets for another execution and clears bindings.
  void Reset();

  int64_t Int(int column) const;
  double Double(int column) const;
  // Views into SQLite's buffer: valid until the next Step/Reset.
  std::string_view Text(int column) const;
  bool IsNull(int column) const;

 private:
  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const;
  };
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
  std::atomic<bool>* corruption_seen_ = nullptr;
};

class Connection {
 public:
  // Opens (creating if needed) the database at `path` in WAL mode with the pragmas Kizuna
  // needs (foreign keys, synchronous=FULL, a busy timeout). Returns Unavailable with
  // SQLite's message on failure.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const std::string& path, bool read_only);

  // Takes ownership of `db`.
  explicit Connection(sqlite3* db) : db_(db) {}
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Executes one or more statements without results.
  absl::Status Exec(std::string_view sql);
  // Returns a statement for `sql`, prepared once and cached; reset and with no bindings.
  absl::StatusOr<Statement*> Cached(const std::string& sql);
  // Resets every cached statement, ending any read they hold open (call before a
  // connection goes back to a pool, so it does not pin an old WAL snapshot).
  void ResetAll();
  // Rows changed by the last statement.
  int64_t Changes() const;
  int64_t LastInsertRowId() const;
  // The SQLite handle, to register functions on it.
  sqlite3* handle() const { return db_; }
  // Sets `*seen` whenever this connection meets a damaged database: SQLITE_CORRUPT or
  // SQLITE_NOTADB. `seen` must outlive the connection. Drops the cached statements (they are
  // prepared again when asked for). REQUIRES: none of them is in use.
  void WatchCorruption(std::atomic<bool>* seen);

 private:
  sqlite3* db_;
  std::atomic<bool>* corruption_seen_ = nullptr;
  std::unordered_map<std::string, Statement> cache_;
};

// Converts an SQLite result code and message into a Status (DataLoss for a damaged
// database).
absl::Status SqliteError(int code, std::string_view context, std::string_view message);

}  // namespace kizuna::store
