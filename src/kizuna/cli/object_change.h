// Kizuna. What `kizuna delete` and `kizuna revoke` share: who acts, and which versions.
#pragma once

// Both commands act for one organisation (--organization, or the node's only one) or one
// user (--as, with the user's roles), and may change only what that principal may see
// (docs/policy.md: a hidden object is absent) and may delete or revoke
// (policy::MayDelete, the rule TAXII DELETE applies).
// Thread-safety: single-threaded, as cli/.

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/identity/principal.h"
#include "kizuna/store/database.h"

namespace kizuna::cli {

// Who a change is made for: --as USER, else --organization ORG.
struct ActingFlags {
  std::string as_user;
  std::string organization;
};

// How messages name a collection: its alias, else its id.
std::string_view CollectionLabel(const store::Collection& collection);

// Adds --as and --organization (exclusive) to `cmd`.
void AddActingFlags(CLI::App& cmd, ActingFlags& flags);

// Returns the principal of `flags`: the user's (--as), else the organisation's
// (policy::PrincipalForOrganization), where an empty --organization means the node's only
// organisation (InvalidArgument, listing them, when it has several).
absl::StatusOr<identity::Principal> ActingPrincipal(store::Database& db, const ActingFlags& flags);

// Returns the versions of `object_id` in `collection` (of the highest spec version held),
// when `principal` may see the object there and may delete or revoke it: NotFound when it
// sees no version (as when there is none), PermissionDenied when the rule refuses. With
// --as, the user's collection grants apply first, as on the server (taxii::GrantAccessControl):
// no grant at all answers NotFound, a grant without write PermissionDenied.
absl::StatusOr<std::vector<store::StoredObject>> ChangeableVersions(
    store::Database& db, const ActingFlags& flags, const identity::Principal& principal,
    const store::Collection& collection, std::string_view object_id);

}  // namespace kizuna::cli
