// Kizuna. Who may delete or revoke an object: the one rule TAXII DELETE and the CLI share.
#pragma once

// An object belongs to the organisation that created it (STIX 2.1 §3.6: only the creator
// versions or revokes it). Its creator is the creator of its first version the collection
// holds: versions by anyone else (which no write accepts any more, store.h) neither block
// nor allow a delete. A node admin may delete or revoke any object. docs/access.md ("Who may
// delete what") describes the rule; change it here and only here.
// Thread-safety: pure functions.

#include <span>

#include "absl/status/status.h"
#include "kizuna/identity/principal.h"
#include "kizuna/store/store.h"

namespace kizuna::store {

// Returns the version with the smallest version_ns of `versions`, or null when empty.
const StoredObject* FirstVersion(std::span<const StoredObject> versions);

// Returns OK when `principal` may delete or revoke the object whose versions in one
// collection are `versions`; PermissionDenied, naming the rule, when it may not.
// REQUIRES: `versions` is not empty and holds versions of one object.
absl::Status CheckMayDeleteOrRevoke(const identity::Principal& principal,
                                    std::span<const StoredObject> versions);

}  // namespace kizuna::store
