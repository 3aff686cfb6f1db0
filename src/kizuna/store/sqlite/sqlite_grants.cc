// Kizuna. The SQLite directory: which organisations and groups may read or write a collection.
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/sqlite/identity_rows.h"
#include "kizuna/store/sqlite/internal.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {
namespace {

// The grants row of one collection and grantee, addressed through the matching partial
// unique index.
struct GrantRow {
  const char* select;
  const char* insert;
  const char* update;
  const char* remove;
};

constexpr GrantRow kOrgRow = {
    "SELECT can_read, can_write FROM grants INDEXED BY grants_to_org"
    " WHERE collection = ?1 AND organization = ?2",
    "INSERT INTO grants (collection, organization, can_read, can_write) VALUES (?1, ?2, ?3, ?4)",
    "UPDATE grants INDEXED BY grants_to_org SET can_read = ?3, can_write = ?4"
    " WHERE collection = ?1 AND organization = ?2",
    "DELETE FROM grants INDEXED BY grants_to_org WHERE collection = ?1 AND organization = ?2",
};

constexpr GrantRow kGroupRow = {
    "SELECT can_read, can_write FROM grants INDEXED BY grants_to_group"
    " WHERE collection = ?1 AND grp = ?2",
    "INSERT INTO grants (collection, grp, can_read, can_write) VALUES (?1, ?2, ?3, ?4)",
    "UPDATE grants INDEXED BY grants_to_group SET can_read = ?3, can_write = ?4"
    " WHERE collection = ?1 AND grp = ?2",
    "DELETE FROM grants INDEXED BY grants_to_group WHERE collection = ?1 AND grp = ?2",
};

std::string_view KindName(GranteeKind kind) {
  return kind == GranteeKind::kOrganization ? "organisation" : "group";
}

}  // namespace

absl::StatusOr<Grant> SqliteStore::DoChangeGrant(std::string_view collection_id,
                                                 const Grantee& grantee, Permissions add,
                                                 Permissions remove, const AuditEvent& event) {
  Grant result{std::string(collection_id), grantee, {}};
  KZ_RETURN_IF_ERROR(WriteChange(event, [&](Connection& db) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(int64_t collection_pk, sqlite_internal::CollectionPk(db, collection_id));
    bool org = grantee.kind == GranteeKind::kOrganization;
    int64_t grantee_pk = 0;
    if (org) {
      KZ_ASSIGN_OR_RETURN(grantee_pk, sqlite_internal::OrganizationPk(db, grantee.name));
    } else {
      KZ_ASSIGN_OR_RETURN(grantee_pk, sqlite_internal::GroupPk(db, grantee.name));
    }
    const GrantRow& sql = org ? kOrgRow : kGroupRow;
    KZ_ASSIGN_OR_RETURN(Statement * select, db.Cached(sql.select));
    select->Bind(1, collection_pk).Bind(2, grantee_pk);
    KZ_ASSIGN_OR_RETURN(bool exists, select->Step());
    Permissions now = exists ? Permissions{select->Int(0) != 0, select->Int(1) != 0} : Permissions{};
    select->Reset();
    if (!exists && (remove.read || remove.write)) {
      return absl::NotFoundError(StrCat(KindName(grantee.kind), " '", grantee.name,
                                        "' has no grant on collection '", collection_id, "'"));
    }
    now.read = (now.read || add.read) && !remove.read;
    now.write = (now.write || add.write) && !remove.write;
    result.permissions = now;
    const char* change = !now.read && !now.write ? sql.remove : (exists ? sql.update : sql.insert);
    KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(change));
    st->Bind(1, collection_pk).Bind(2, grantee_pk);
    if (now.read || now.write) st->Bind(3, int64_t{now.read}).Bind(4, int64_t{now.write});
    return st->Run();
  }));
  return result;
}

absl::StatusOr<std::vector<Grant>> SqliteStore::DoListGrants(std::string_view collection_id) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  if (!collection_id.empty()) {
    KZ_RETURN_IF_ERROR(sqlite_internal::CollectionPk(*db, collection_id).status());
  }
  KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(
      "SELECT c.id, o.id, g.name, r.can_read, r.can_write FROM grants r"
      " JOIN collections c ON c.pk = r.collection"
      " LEFT JOIN organizations o ON o.pk = r.organization"
      " LEFT JOIN sharing_groups g ON g.pk = r.grp"
      " WHERE ?1 = '' OR c.id = ?1 ORDER BY c.id, r.grp IS NOT NULL, o.id, g.name"));
  st->Bind(1, collection_id);
  std::vector<Grant> out;
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    Grant& g = out.emplace_back();
    g.collection = st->Text(0);
    bool org = !st->IsNull(1);
    g.grantee = {org ? GranteeKind::kOrganization : GranteeKind::kGroup,
                 std::string(st->Text(org ? 1 : 2))};
    g.permissions = {st->Int(3) != 0, st->Int(4) != 0};
  }
  return out;
}

}  // namespace kizuna::store
