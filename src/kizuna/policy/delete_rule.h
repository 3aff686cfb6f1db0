// Kizuna. Who may delete what: the one rule every way of deleting an object calls (TAXII
// Delete an Object, `kizuna delete`).
#pragma once

// An object leaves a collection only by the hand of its owner or of the node
// (docs/access.md, "Who may delete what"):
//   - the operator (the command line with the data directory) and a node admin may delete
//     any object of the collection they can see;
//   - anyone else only an object its organisation owns: the owner (OwnerOf, decide.h) of the
//     object's first version held in the collection: its created_by_ref, or for an object
//     without one (every SCO), the organisation that added that version to this node. The
//     first adder of a version stays its adder, so adding the same SCO again gains nothing,
//     and versions by others (which the writer's rules no longer accept, store.h) neither
//     block nor allow a delete;
//   - an object the principal may not see does not exist for it: the same NotFound as an
//     absent one, with the same message.
// Whether the principal may write to the collection at all (grants) is for the caller to
// check first.
//
// Thread-safety: as Policy (safe for concurrent use).

#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "kizuna/identity/principal.h"
#include "kizuna/policy/policy.h"
#include "kizuna/stix/object.h"
#include "kizuna/store/store.h"

namespace kizuna::policy {

// What a refused delete answers (PermissionDenied), and a delete of an object that is absent or
// hidden from the principal (NotFound).
inline constexpr std::string_view kNotOwnerReason =
    "only the organisation that created an object (for an object without created_by_ref, the one "
    "that added it) may delete or revoke it";
inline constexpr std::string_view kNoSuchObject = "no such object in this collection";

// Returns OK when `principal` may delete object `object_id` from `collection`, considering
// its versions of `spec_versions` (every spec version when empty); NotFound when the
// collection holds no such version the principal may see; PermissionDenied when it may see
// the object but does not own it; the store's or the policy's error otherwise.
absl::Status MayDelete(store::Store& store, Policy& policy, const identity::Principal& principal,
                       const store::Collection& collection, std::string_view object_id,
                       const std::vector<stix::SpecVersion>& spec_versions);

}  // namespace kizuna::policy
