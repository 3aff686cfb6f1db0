// Kizuna. Row helpers shared by the PostgreSQL directory's source files; not for other modules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/store/postgres/connection.h"

namespace kizuna::store::pg_internal {

// Return the primary key of the organisation with id `id`, of group `name` or of user
// `name`; NotFound naming it when there is none (the SQLite directory's messages).
absl::StatusOr<int64_t> OrganizationPk(pg::Connection& db, std::string_view id);
absl::StatusOr<int64_t> GroupPk(pg::Connection& db, std::string_view name);
absl::StatusOr<int64_t> UserPk(pg::Connection& db, std::string_view name);

// FailedPrecondition when user `name` holds one of `refused_roles` (NewToken::refused_roles);
// OK when it holds none or does not exist (the caller's write says NotFound).
absl::Status CheckNoRefusedRole(pg::Connection& db, std::string_view name, uint8_t refused_roles);

// The integer at (`row`, `column`), or nullopt when it is NULL.
inline std::optional<int64_t> OptionalInt(const pg::Result& r, int row, int column) {
  if (r.IsNull(row, column)) return std::nullopt;
  return r.Int(row, column);
}

// The names in `column` of every row of `r` that has one, in order. A credential's query
// LEFT JOINs the groups of the user's organisation (sorted), so that the token or user, its
// organisation and its groups come from one statement, hence one snapshot.
inline std::vector<std::string> GroupNames(const pg::Result& r, int column) {
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) {
    if (!r.IsNull(i, column)) out.emplace_back(r.Text(i, column));
  }
  return out;
}

// The joins and order that bring a credential's groups (column g.name) to a query whose
// organisation is `o`.
inline constexpr std::string_view kJoinGroups =
    " LEFT JOIN group_members m ON m.organization = o.pk"
    " LEFT JOIN sharing_groups g ON g.pk = m.grp";
inline constexpr std::string_view kOrderGroups = " ORDER BY g.name COLLATE \"C\"";

}  // namespace kizuna::store::pg_internal
