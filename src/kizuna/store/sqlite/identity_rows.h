// Kizuna. Row helpers shared by the SQLite directory's source files; not for other modules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/store/identity.h"
#include "kizuna/store/sqlite/connection.h"

namespace kizuna::store::sqlite_internal {

// Appends `event` to audit_log. REQUIRES: a write transaction is open on `db`.
absl::Status InsertAudit(Connection& db, const AuditEvent& event);

// Advances node_state.identity_version. REQUIRES: a write transaction is open on `db`.
absl::Status BumpIdentityVersion(Connection& db);

// Return the primary key of the organisation with id `id`, of group `name` or of user
// `name`; NotFound naming it when there is none.
absl::StatusOr<int64_t> OrganizationPk(Connection& db, std::string_view id);
absl::StatusOr<int64_t> GroupPk(Connection& db, std::string_view name);
absl::StatusOr<int64_t> UserPk(Connection& db, std::string_view name);

// FailedPrecondition when user `name` holds one of `refused_roles` (NewToken::refused_roles);
// OK when it holds none or does not exist (the caller's write says NotFound).
absl::Status CheckNoRefusedRole(Connection& db, std::string_view name, uint8_t refused_roles);

// Appends the names of the groups organisation `org_pk` is in, sorted, to `out`.
absl::Status ReadGroupNames(Connection& db, int64_t org_pk, std::vector<std::string>& out);

// One read transaction on a reader, so that several reads agree: BEGIN when made (its result
// in status()), every statement reset and COMMIT when it goes.
class ReadTransaction {
 public:
  explicit ReadTransaction(Connection& db) : db_(db) { begun_ = db_.Exec("BEGIN"); }
  ~ReadTransaction() {
    db_.ResetAll();
    if (begun_.ok()) (void)db_.Exec("COMMIT");
  }
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;
  const absl::Status& status() const { return begun_; }

 private:
  Connection& db_;
  absl::Status begun_;
};

// Returns the integer in `column`, or nullopt when it is NULL.
inline std::optional<int64_t> OptionalInt(const Statement& st, int column) {
  if (st.IsNull(column)) return std::nullopt;
  return st.Int(column);
}

// Binds `value`, or NULL when it is empty.
inline void BindOptional(Statement& st, int index, const std::optional<int64_t>& value) {
  if (value) {
    st.Bind(index, *value);
  } else {
    st.BindNull(index);
  }
}

}  // namespace kizuna::store::sqlite_internal
