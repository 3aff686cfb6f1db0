// Kizuna. The PostgreSQL directory: which organisations and groups may read or write a
// collection (the SQLite directory's semantics, sqlite/sqlite_grants.cc).
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/postgres/pg_identity_rows.h"
#include "kizuna/store/postgres/pg_internal.h"
#include "kizuna/store/postgres/pg_store.h"

namespace kizuna::store {
namespace {

using pg::Param;

// The grants row of one collection and grantee: $1 the collection, $2 the grantee's pk in the
// grantee column (organization or grp), addressed through its partial unique index.
struct GrantRow {
  const char* select;
  const char* insert;
  const char* update;
  const char* remove;
};

constexpr GrantRow kOrgRow = {
    "SELECT can_read, can_write FROM grants WHERE collection = $1 AND organization = $2",
    "INSERT INTO grants (collection, organization, can_read, can_write) VALUES ($1, $2, $3, $4)",
    "UPDATE grants SET can_read = $3, can_write = $4 WHERE collection = $1 AND organization = $2",
    "DELETE FROM grants WHERE collection = $1 AND organization = $2",
};

constexpr GrantRow kGroupRow = {
    "SELECT can_read, can_write FROM grants WHERE collection = $1 AND grp = $2",
    "INSERT INTO grants (collection, grp, can_read, can_write) VALUES ($1, $2, $3, $4)",
    "UPDATE grants SET can_read = $3, can_write = $4 WHERE collection = $1 AND grp = $2",
    "DELETE FROM grants WHERE collection = $1 AND grp = $2",
};

std::string_view KindName(GranteeKind kind) {
  return kind == GranteeKind::kOrganization ? "organisation" : "group";
}

}  // namespace

absl::StatusOr<Grant> PgStore::DoChangeGrant(std::string_view collection_id, const Grantee& grantee,
                                             Permissions add, Permissions remove,
                                             const AuditEvent& event) {
  Grant result{std::string(collection_id), grantee, {}};
  KZ_RETURN_IF_ERROR(WriteChange(event, [&](pg::Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(int64_t collection_pk, CollectionPk(db, collection_id));
    const bool org = grantee.kind == GranteeKind::kOrganization;
    int64_t grantee_pk = 0;
    if (org) {
      KZ_ASSIGN_OR_RETURN(grantee_pk, pg_internal::OrganizationPk(db, grantee.name));
    } else {
      KZ_ASSIGN_OR_RETURN(grantee_pk, pg_internal::GroupPk(db, grantee.name));
    }
    const GrantRow& sql = org ? kOrgRow : kGroupRow;
    KZ_ASSIGN_OR_RETURN(
        pg::Result held,
        db.Run("read a grant", sql.select, {Param::Int(collection_pk), Param::Int(grantee_pk)}));
    const bool exists = held.rows() > 0;
    Permissions now = exists ? Permissions{held.Bool(0, 0), held.Bool(0, 1)} : Permissions{};
    if (!exists && (remove.read || remove.write)) {
      return absl::NotFoundError(StrCat(KindName(grantee.kind), " '", grantee.name,
                                        "' has no grant on collection '", collection_id, "'"));
    }
    now.read = (now.read || add.read) && !remove.read;
    now.write = (now.write || add.write) && !remove.write;
    result.permissions = now;
    if (!now.read && !now.write) {
      return db
          .Run("delete a grant", sql.remove, {Param::Int(collection_pk), Param::Int(grantee_pk)})
          .status();
    }
    return db
        .Run(exists ? "update a grant" : "add a grant", exists ? sql.update : sql.insert,
             {Param::Int(collection_pk), Param::Int(grantee_pk), Param::Bool(now.read),
              Param::Bool(now.write)})
        .status();
  }));
  return result;
}

absl::StatusOr<std::vector<Grant>> PgStore::DoListGrants(std::string_view collection_id) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  if (!collection_id.empty()) {
    KZ_RETURN_IF_ERROR(pg_internal::CollectionPk(*db, collection_id).status());
  }
  KZ_ASSIGN_OR_RETURN(pg::Result r,
                      db->Run("list grants",
                              "SELECT c.id, o.id, g.name, r.can_read, r.can_write FROM grants r"
                              " JOIN collections c ON c.pk = r.collection"
                              " LEFT JOIN organizations o ON o.pk = r.organization"
                              " LEFT JOIN sharing_groups g ON g.pk = r.grp"
                              " WHERE $1 = '' OR c.id = $1"
                              " ORDER BY c.id COLLATE \"C\", r.grp IS NOT NULL, o.id COLLATE \"C\","
                              " g.name COLLATE \"C\"",
                              {Param::Text(collection_id)}));
  std::vector<Grant> out;
  for (int i = 0; i < r.rows(); ++i) {
    Grant& g = out.emplace_back();
    g.collection = r.Text(i, 0);
    const bool org = !r.IsNull(i, 1);
    g.grantee = {org ? GranteeKind::kOrganization : GranteeKind::kGroup,
                 std::string(r.Text(i, org ? 1 : 2))};
    g.permissions = {r.Bool(i, 3), r.Bool(i, 4)};
  }
  return out;
}

}  // namespace kizuna::store
