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

}  // namespace kizuna::policy
