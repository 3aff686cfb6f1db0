// Kizuna.
#include "kizuna/cli/object_change.h"

#include "kizuna/base/clock.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/policy/policy.h"
#include "kizuna/policy/delete_rule.h"
#include "kizuna/taxii/auth/grant_access_control.h"

namespace kizuna::cli {

std::string_view CollectionLabel(const store::Collection& collection) {
  return collection.alias.empty() ? collection.id : collection.alias;
}

void AddActingFlags(CLI::App& cmd, ActingFlags& flags) {
  auto* as = cmd.add_option(
      "--as", flags.as_user,
      "Act as this user of the node: its organisation and roles (a node-admin may change "
      "any object)");
  cmd.add_option(
         "--organization", flags.organization,
         "Act for this organisation (name or identity id); default: the node's only one. Only the "
         "organisation that created an object may delete or revoke it")
      ->excludes(as);
}

absl::StatusOr<identity::Principal> ActingPrincipal(store::Database& db, const ActingFlags& flags) {
  if (!flags.as_user.empty()) return policy::PrincipalForUser(db, flags.as_user);
  KZ_ASSIGN_OR_RETURN(std::string org,
                      ActingOrganization(db, flags.organization, "the acting organisation"));
  KZ_ASSIGN_OR_RETURN(identity::Principal p,
                      policy::PrincipalForOrganization(db, org, identity::Role::kPublisher));
  p.user = "cli";  // the command line acting for the organisation: the audit's actor
  return p;
}

absl::StatusOr<std::vector<store::StoredObject>> ChangeableVersions(
    store::Database& db, const ActingFlags& flags, const identity::Principal& principal,
    const store::Collection& collection, std::string_view object_id) {
  const absl::Status absent = absl::NotFoundError(
      StrCat("no object ", object_id, " in collection '", CollectionLabel(collection), "'"));
  taxii::CollectionAccess can{.can_read = true, .can_write = true};  // the operator's
  if (!flags.as_user.empty()) {
    taxii::GrantAccessControl access(db, SystemClock());
    KZ_ASSIGN_OR_RETURN(can, access.Access(principal, collection.id));
    if (!can.can_read && !can.can_write) return absent;  // the server's 404
  }
  policy::Policy policy(db, &db, SystemClock());
  absl::Status may = policy::MayDelete(db, policy, principal, collection, object_id, {});
  if (absl::IsNotFound(may)) return absent;
  KZ_RETURN_IF_ERROR(may);
  if (!can.can_write) {
    return absl::PermissionDeniedError(StrCat("user '", flags.as_user, "' may not write to collection '",
                                              CollectionLabel(collection), "'"));
  }
  store::PageRequest all;
  all.limit = store::kMaxPageLimit;
  KZ_ASSIGN_OR_RETURN(store::Page versions, db.GetVersions(collection.id, object_id, all));
  return std::move(versions.objects);
}

}  // namespace kizuna::cli
