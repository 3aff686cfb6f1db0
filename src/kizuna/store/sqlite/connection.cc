// Kizuna.
#include "kizuna/store/sqlite/connection.h"

#include <sqlite3.h>

#include "kizuna/base/strings.h"

namespace kizuna::store {

absl::Status SqliteError(int code, std::string_view context, std::string_view message) {
  std::string text = StrCat(context, ": ", message);
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
      return absl::UnavailableError(text);
    case SQLITE_CONSTRAINT:
      return absl::AlreadyExistsError(text);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::DataLossError(text);
    default:
      return absl::InternalError(text);
  }
}

namespace {

// Sets `*seen` when `code` says the database is damaged.
void NoteCorruption(int code, std::atomic<bool>* seen) {
  if (seen != nullptr && ((code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB)) {
    seen->store(true, std::memory_order_release);
  }
}

}  // namespace

void Statement::Finalizer::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

Statement::Statement(sqlite3_stmt* stmt, std::atomic<bool>* corruption_seen)
    : stmt_(stmt), corruption_seen_(corruption_seen) {}

Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_.get(), index, value);
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_.get(), index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
  sqlite3_bind_blob(stmt_.get(), index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::BindView(int index, std::string_view text) {
  sqlite3_bind_text(stmt_.get(), index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  return *this;
}

Statement& Statement::BindBlobView(int index, std::string_view bytes) {
  sqlite3_bind_blob(stmt_.get(), index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  return *this;
}

Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_.get(), index);
  return *this;
}

absl::StatusOr<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  NoteCorruption(rc, corruption_seen_);
  sqlite3* db = sqlite3_db_handle(stmt_.get());
  return SqliteError(rc, sqlite3_sql(stmt_.get()), sqlite3_errmsg(db));
}

absl::Status Statement::Run() {
  for (;;) {
    absl::StatusOr<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_.get(), column); }
double Statement::Double(int column) const { return sqlite3_column_double(stmt_.get(), column); }

std::string_view Statement::Text(int column) const {
  const void* p = sqlite3_column_blob(stmt_.get(), column);
  int n = sqlite3_column_bytes(stmt_.get(), column);
  return p ? std::string_view(static_cast<const char*>(p), n) : std::string_view();
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(const std::string& path, bool read_only) {
  sqlite3* db = nullptr;
  int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
              SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  auto conn = std::make_unique<Connection>(db);  // owns db even on failure
  if (rc != SQLITE_OK) {
    return absl::UnavailableError(StrCat("cannot open database ", path, ": ", sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(db, 10000);
  sqlite3_extended_result_codes(db, 1);
  // 32 KiB pages (a new database only; an existing one keeps its own): a stored object takes
  // about 700 octets, and larger pages make imports faster than SQLite's 4 KiB: 1.3x with
  // 16 KiB, 1.1x more with 32 KiB (bench/README.md, import_bench).
  absl::Status st = conn->Exec(
      "PRAGMA page_size=32768; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
      "PRAGMA cache_size=-131072; PRAGMA temp_store=MEMORY;");
  if (!st.ok()) return absl::UnavailableError(StrCat("cannot open database ", path, ": ", View(st.message())));
  return conn;
}

Connection::~Connection() {
  cache_.clear();  // statements must be finalized before the connection closes
  sqlite3_close_v2(db_);
}

absl::Status Connection::Exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return absl::OkStatus();
  NoteCorruption(rc, corruption_seen_);
  absl::Status st = SqliteError(rc, text.substr(0, 80), message ? message : sqlite3_errstr(rc));
  sqlite3_free(message);
  return st;
}

absl::StatusOr<Statement*> Connection::Cached(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    it->second.Reset();
    return &it->second;
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    NoteCorruption(rc, corruption_seen_);
    return SqliteError(rc, sql.substr(0, 120), sqlite3_errmsg(db_));
  }
  auto [pos, inserted] = cache_.emplace(sql, Statement(stmt, corruption_seen_));
  return &pos->second;
}

void Connection::WatchCorruption(std::atomic<bool>* seen) {
  corruption_seen_ = seen;
  cache_.clear();
}

void Connection::ResetAll() {
  for (auto& [sql, stmt] : cache_) stmt.Reset();
}

int64_t Connection::Changes() const { return sqlite3_changes64(db_); }
int64_t Connection::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

}  // namespace kizuna::store
