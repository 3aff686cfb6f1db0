// Kizuna.
#include "kizuna/store/postgres/connection.h"

#include <libpq-fe.h>

#include <cstring>

#include "kizuna/base/redact.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::store::pg {
namespace {

// Type OIDs (PostgreSQL's pg_type.dat).
constexpr uint32_t kBoolOid = 16;
constexpr uint32_t kByteaOid = 17;
constexpr uint32_t kInt8Oid = 20;
constexpr uint32_t kInt2Oid = 21;
constexpr uint32_t kInt4Oid = 23;
constexpr uint32_t kTextOid = 25;

// Statements a connection keeps prepared; beyond this, the first ones are let go.
constexpr size_t kMaxPrepared = 512;

int64_t ReadBigEndian(const char* p, int size) {
  uint64_t v = 0;
  for (int i = 0; i < size; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  // Sign-extend narrower integers.
  if (size < 8 && size > 0 && (v >> (8 * size - 1)) != 0) v |= ~uint64_t{0} << (8 * size);
  return static_cast<int64_t>(v);
}

// The Status of a failed result, named after the statement.
absl::Status ErrorOf(const PGresult* r, pg_conn* conn, std::string_view what) {
  const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  std::string text = StrCat("PostgreSQL, ", what, ": ", message);
  std::string_view code = state != nullptr ? state : "";
  if (PQstatus(conn) != CONNECTION_OK || code.starts_with("08") || code.starts_with("57P")) {
    return absl::UnavailableError(text);
  }
  if (code == "23505") return absl::AlreadyExistsError(text);
  if (code.starts_with("22") || code.starts_with("23")) return absl::InvalidArgumentError(text);
  if (code == "40001" || code == "40P01") return absl::AbortedError(text);
  if (code == "57014") return absl::DeadlineExceededError(text);  // cancelled: statement_timeout
  return absl::InternalError(text);
}

}  // namespace

Param Param::Int(int64_t value) {
  Param p;
  p.type_ = kInt8Oid;
  uint64_t v = static_cast<uint64_t>(value);
  for (int i = 7; i >= 0; --i, v >>= 8) p.own_[i] = static_cast<char>(v & 0xff);
  p.own_size_ = 8;
  return p;
}

Param Param::Bool(bool value) {
  Param p;
  p.type_ = kBoolOid;
  p.own_[0] = value ? 1 : 0;
  p.own_size_ = 1;
  return p;
}

Param Param::Text(std::string_view text) {
  Param p;
  p.type_ = kTextOid;
  p.view_ = text;
  return p;
}

Param Param::Bytes(std::string_view bytes) {
  Param p = Text(bytes);
  p.type_ = kByteaOid;
  return p;
}

Param Param::Null(bool text) {
  Param p;
  p.type_ = text ? kTextOid : kInt8Oid;
  p.null_ = true;
  return p;
}

Result::Result(pg_result* result) : result_(result) {}

void Result::Clearer::operator()(pg_result* r) const { PQclear(r); }

int Result::rows() const { return result_ ? PQntuples(result_.get()) : 0; }

int64_t Result::Int(int row, int column) const {
  if (PQgetisnull(result_.get(), row, column)) return 0;
  const char* p = PQgetvalue(result_.get(), row, column);
  int size = PQgetlength(result_.get(), row, column);
  switch (PQftype(result_.get(), column)) {
    case kBoolOid:
      return p[0] != 0;
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
      return ReadBigEndian(p, size);
    default:
      return 0;
  }
}

std::string_view Result::Text(int row, int column) const {
  if (PQgetisnull(result_.get(), row, column)) return {};
  return {PQgetvalue(result_.get(), row, column),
          static_cast<size_t>(PQgetlength(result_.get(), row, column))};
}

bool Result::IsNull(int row, int column) const {
  return PQgetisnull(result_.get(), row, column) != 0;
}

int64_t Result::Affected() const {
  const char* n = PQcmdTuples(result_.get());
  return n[0] == '\0' ? 0 : std::strtoll(n, nullptr, 10);
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (conn == nullptr)
    return absl::ResourceExhaustedError("PostgreSQL: no memory for a connection");
  auto owned = std::make_unique<Connection>(conn);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return absl::UnavailableError(StrCat("PostgreSQL at ", RedactUrl(url), ": ", message));
  }
  // Quiet notices (they would go to stderr: the library never prints).
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return owned;
}

Connection::Connection(pg_conn* conn) : conn_(conn) {}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::Healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

absl::Status Connection::Reconnect() {
  PQreset(conn_);
  prepared_.clear();
  if (PQstatus(conn_) == CONNECTION_OK) return absl::OkStatus();
  std::string message = PQerrorMessage(conn_);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return absl::UnavailableError(StrCat("PostgreSQL: cannot connect again: ", message));
}

int Connection::BackendPid() const { return PQbackendPID(conn_); }

absl::Status Connection::Exec(std::string_view what, const std::string& sql) {
  PGresult* r = PQexec(conn_, sql.c_str());
  Result owned(r);
  if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
    return ErrorOf(r, conn_, what);
  }
  return absl::OkStatus();
}

absl::StatusOr<Result> Connection::Run(std::string_view what, const std::string& sql,
                                       const std::vector<Param>& params) {
  // Keyed by the SQL and the parameters' types: a statement run once with a NULL of one type
  // and once with a value of another is two prepared statements (PostgreSQL decodes each
  // parameter by the type it was prepared with).
  std::string key = sql;
  key.push_back('\0');
  for (const Param& p : params) {
    const uint32_t type = p.type();
    key.append(reinterpret_cast<const char*>(&type), sizeof type);
  }
  auto found = prepared_.find(key);
  if (found == prepared_.end()) {
    if (prepared_.size() >= kMaxPrepared) {
      Exec("releasing prepared statements", "DEALLOCATE ALL").IgnoreError();
      prepared_.clear();
    }
    std::string name = StrCat("k", prepared_.size() + 1);
    std::vector<uint32_t> types;
    types.reserve(params.size());
    for (const Param& p : params) types.push_back(p.type());
    PGresult* prepared =
        PQprepare(conn_, name.c_str(), sql.c_str(), static_cast<int>(params.size()), types.data());
    Result owned(prepared);
    if (PQresultStatus(prepared) != PGRES_COMMAND_OK) return ErrorOf(prepared, conn_, what);
    found = prepared_.emplace(std::move(key), std::move(name)).first;
  }
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  values.reserve(params.size());
  for (const Param& p : params) {
    values.push_back(p.data());
    lengths.push_back(p.size());
    formats.push_back(1);
  }
  PGresult* r = PQexecPrepared(conn_, found->second.c_str(), static_cast<int>(params.size()),
                               values.data(), lengths.data(), formats.data(), /*resultFormat=*/1);
  Result result(r);
  ExecStatusType status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return ErrorOf(r, conn_, what);
  return result;
}

Transaction::~Transaction() {
  if (open_) db_.Exec("rollback", "ROLLBACK").IgnoreError();
}

absl::Status Transaction::Begin(const std::string& begin) {
  open_ = true;  // a failure after BEGIN still leaves a transaction to roll back
  KZ_RETURN_IF_ERROR(db_.Exec("begin", begin));
  return absl::OkStatus();
}

absl::Status Transaction::Commit() {
  open_ = false;
  return db_.Exec("commit", "COMMIT");
}


}  // namespace kizuna::store::pg
