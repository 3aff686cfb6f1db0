// Kizuna. A thin, owning wrapper over one libpq connection: prepared statements with binary
// parameters and results, transactions, and errors as absl::Status naming the statement.
#pragma once

// Connection owns a PGconn; Result owns a PGresult. Every statement is prepared once per
// connection (keyed by its SQL text and its parameters' types, under a name of its own) and
// executed with binary
// parameters of declared types, so no value is ever spliced into SQL text and bytes round-trip
// exactly. Errors come back as absl::Status: AlreadyExists for a unique violation, Unavailable
// for a lost connection, InvalidArgument for bad data, DeadlineExceeded for a statement
// cancelled (statement_timeout), else Internal; each names the statement
// (the `what` the caller gives) and carries PostgreSQL's message.
// Thread-safety: a Connection and its results belong to one thread at a time.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"

struct pg_conn;
struct pg_result;

namespace kizuna::store::pg {

// One parameter of a statement, in PostgreSQL's binary format. Text and bytes are viewed, not
// copied: REQUIRES they stay valid until the statement has run.
class Param {
 public:
  static Param Int(int64_t value);
  static Param Bool(bool value);
  static Param Text(std::string_view text);
  static Param Bytes(std::string_view bytes);
  // NULL of the type of Int (or Text when `text`).
  static Param Null(bool text = false);
  static Param OptionalInt(const std::optional<int64_t>& value) {
    return value ? Int(*value) : Null();
  }
  // NULL when empty.
  static Param TextOrNull(std::string_view text) { return text.empty() ? Null(true) : Text(text); }

  uint32_t type() const { return type_; }
  const char* data() const {
    return null_ ? nullptr : (view_.data() != nullptr ? view_.data() : own_);
  }
  int size() const {
    return null_ ? 0 : static_cast<int>(view_.data() != nullptr ? view_.size() : own_size_);
  }

 private:
  uint32_t type_ = 0;
  bool null_ = false;
  std::string_view view_;
  char own_[8] = {};  // an integer or boolean, big-endian
  size_t own_size_ = 0;
};

// The rows of a statement that ran, in binary format.
class Result {
 public:
  Result() = default;
  explicit Result(pg_result* result);
  int rows() const;
  // Integers of any width and booleans (as 0/1); 0 for NULL.
  int64_t Int(int row, int column) const;
  bool Bool(int row, int column) const { return Int(row, column) != 0; }
  // Text and bytea values; empty for NULL. A view into the result: valid while it lives.
  std::string_view Text(int row, int column) const;
  bool IsNull(int row, int column) const;
  // For INSERT, UPDATE and DELETE: the rows they touched.
  int64_t Affected() const;

 private:
  struct Clearer {
    void operator()(pg_result* r) const;
  };
  std::unique_ptr<pg_result, Clearer> result_;
};

class Connection {
 public:
  // Connects to `url` (a libpq connection URI or key=value string). Returns Unavailable with
  // libpq's message (the URL's password left out) when it cannot.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const std::string& url);

  explicit Connection(pg_conn* conn);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs `sql` (one or more statements, no parameters, no rows wanted): DDL and transaction
  // control. `what` names it in errors.
  absl::Status Exec(std::string_view what, const std::string& sql);
  // Runs the statement `sql` with `params` (prepared on first use on this connection, with
  // the parameters' types); returns its rows. `what` names it in errors.
  absl::StatusOr<Result> Run(std::string_view what, const std::string& sql,
                             const std::vector<Param>& params = {});
  // Whether the connection still works (false after the server went away).
  bool Healthy() const;
  // Connects again with the same settings (after the server went away): the same object, so
  // references to it stay valid; statements are prepared again on their next use.
  // Unavailable when it cannot.
  absl::Status Reconnect();
  // The process id of the server's backend for this session (as notifications name it).
  int BackendPid() const;

 private:
  pg_conn* conn_;
  // SQL and parameter types -> statement name
  std::unordered_map<std::string, std::string> prepared_;
};

// Runs BEGIN on Begin() and ROLLBACK on destruction unless committed.
class Transaction {
 public:
  explicit Transaction(Connection& db) : db_(db) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  // Runs `begin` (BEGIN, maybe followed by statements without parameters to run at once).
  absl::Status Begin(const std::string& begin = "BEGIN");
  absl::Status Commit();

 private:
  Connection& db_;
  bool open_ = false;
};

}  // namespace kizuna::store::pg
