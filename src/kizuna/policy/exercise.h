// Kizuna. Which peers take part in an exercise: the rule sync applies to exercise collections.
#pragma once

// An exercise collection (store::Collection::exercise) names its exercise by its communities
// (`kizuna collection create --exercise --community pacific-shield`). A peer takes part in the
// exercise when it is a member of one of those communities (`kizuna peer add --community`);
// an exercise collection without communities has no peer in it. Sync neither pulls into nor
// pushes from an exercise collection over a mapping with a peer that takes no part
// (docs/security.md, rule 6); objects carrying the exercise marking never enter a collection
// that is not an exercise collection (the store refuses them, whoever writes).
//
// Thread-safety: stateless functions.

#include "absl/status/status.h"
#include "kizuna/identity/principal.h"
#include "kizuna/store/peers.h"
#include "kizuna/store/store.h"

namespace kizuna::policy {

// Returns true when `peer` takes part in the exercise of `collection` (REQUIRES: an
// exercise collection).
bool TakesPartInExercise(const store::Collection& collection, const store::Peer& peer);

// Returns OK when sync may move objects between `collection` and `peer`: the collection is no
// exercise collection, or the peer takes part in its exercise. Else PermissionDenied naming
// the collection, the peer and the rule.
absl::Status CheckExerciseSync(const store::Collection& collection, const store::Peer& peer);

// Returns false when `principal` is a partner node (the peer role) outside the exercise of
// `collection`: none of its communities is one of the collection's. Its grants then count
// for nothing there, on every read and write path (TAXII, the JSON API, exports, MISP feeds),
// as sync's rule above. True for every other principal and for collections that are not
// exercise collections.
bool PeerMayReachExercise(const store::Collection& collection, const identity::Principal& principal);

}  // namespace kizuna::policy
