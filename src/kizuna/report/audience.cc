// Kizuna. Who a brief is for.
#include "kizuna/report/audience.h"

#include <algorithm>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/identity/nation.h"
#include "kizuna/identity/release.h"
#include "kizuna/policy/policy.h"

namespace kizuna::report {
namespace {

using identity::Role;

bool Has(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// The groups organisation `org` belongs to.
std::vector<std::string> GroupsOf(const std::vector<store::Group>& groups, std::string_view org) {
  std::vector<std::string> out;
  for (const store::Group& g : groups) {
    if (Has(g.members, org)) out.push_back(g.name);
  }
  return out;
}

// What the audience's members are: organisations (each must be allowed to read a collection
// for the audience to read it) and groups (a read grant to one of them is enough).
struct Members {
  std::vector<std::string> orgs;
  std::vector<std::string> groups;
  bool all_collections = false;  // a node administrator
};

// Returns whether organisation `org` (in `org_groups`) may read through `grants`, or one of
// the audience's own groups is granted reading.
bool MayRead(const std::vector<store::Grant>& grants, std::string_view org,
             const std::vector<std::string>& org_groups, const std::vector<std::string>& audience_groups) {
  for (const store::Grant& g : grants) {
    if (!g.permissions.read) continue;
    if (g.grantee.kind == store::GranteeKind::kOrganization && g.grantee.name == org) return true;
    if (g.grantee.kind == store::GranteeKind::kGroup &&
        (Has(org_groups, g.grantee.name) || Has(audience_groups, g.grantee.name))) {
      return true;
    }
  }
  return false;
}

absl::StatusOr<std::vector<store::Collection>> Readable(store::Database& db, const Members& members,
                                                        const std::vector<store::Group>& groups) {
  std::vector<store::Collection> out;
  KZ_ASSIGN_OR_RETURN(std::vector<store::ApiRoot> roots, db.ListApiRoots());
  for (const store::ApiRoot& root : roots) {
    KZ_ASSIGN_OR_RETURN(std::vector<store::Collection> collections, db.ListCollections(root.name));
    for (store::Collection& c : collections) {
      bool readable = members.all_collections;
      if (!readable) {
        KZ_ASSIGN_OR_RETURN(std::vector<store::Grant> grants, db.ListGrants(c.id));
        readable = !members.orgs.empty() || !members.groups.empty();
        for (const std::string& org : members.orgs) {
          readable = readable && MayRead(grants, org, GroupsOf(groups, org), members.groups);
        }
        if (members.orgs.empty()) readable = readable && MayRead(grants, "", {}, members.groups);
      }
      if (readable) out.push_back(std::move(c));
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

// The communities every one of `orgs` belongs to.
std::vector<std::string> SharedGroups(const std::vector<store::Group>& groups, const std::vector<std::string>& orgs) {
  std::vector<std::string> out;
  for (const store::Group& g : groups) {
    bool all = !orgs.empty();
    for (const std::string& org : orgs) all = all && Has(g.members, org);
    if (all) out.push_back(g.name);
  }
  return out;
}

}  // namespace

std::string_view AudienceKindName(AudienceKind kind) {
  switch (kind) {
    case AudienceKind::kNation: return "nation";
    case AudienceKind::kCommunity: return "community";
    case AudienceKind::kUser: return "user";
  }
  return "nation";
}

absl::StatusOr<Audience> ResolveAudience(store::Database& db, std::string_view name) {
  KZ_ASSIGN_OR_RETURN(std::vector<store::Group> groups, db.ListGroups());
  Audience a;
  a.name = std::string(name);
  Members members;
  if (identity::IsNationCode(name)) {
    KZ_ASSIGN_OR_RETURN(std::vector<store::Organization> orgs, db.ListOrganizations());
    for (const store::Organization& o : orgs) {
      if (o.nation == name) members.orgs.push_back(o.id);
    }
    if (members.orgs.empty()) {
      return absl::InvalidArgumentError(StrCat("--audience: no organisation of nation ", name, " on this node"));
    }
    a.kind = AudienceKind::kNation;
    a.principal = identity::UserPrincipal(StrCat("brief:", name), "", std::string(name),
                                          SharedGroups(groups, members.orgs), static_cast<uint8_t>(Role::kReader));
  } else if (auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& x) { return x.name == name; });
             g != groups.end()) {
    a.kind = AudienceKind::kCommunity;
    members.orgs = g->members;
    members.groups = {g->name};
    a.principal = identity::UserPrincipal(StrCat("brief:", name), "", "", {g->name},
                                          static_cast<uint8_t>(Role::kReader));
  } else {
    absl::StatusOr<identity::Principal> user = policy::PrincipalForUser(db, name);
    if (absl::IsNotFound(user.status())) {
      return absl::InvalidArgumentError(StrCat("--audience: '", name,
                                               "' names no nation with organisations here, no community and no user"));
    }
    KZ_RETURN_IF_ERROR(user.status());
    a.kind = AudienceKind::kUser;
    a.principal = *std::move(user);
    bool reads = a.principal.Has(Role::kReader) || a.principal.Has(Role::kPublisher) ||
                 a.principal.Has(Role::kOrgAdmin) || a.principal.Has(Role::kPeer);
    members.all_collections = a.principal.Has(Role::kNodeAdmin);
    if (reads || members.all_collections) members.orgs = {a.principal.organization};
  }
  KZ_ASSIGN_OR_RETURN(a.collections, Readable(db, members, groups));
  return a;
}

}  // namespace kizuna::report
