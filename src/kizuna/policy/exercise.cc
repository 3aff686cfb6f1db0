// Kizuna.
#include "kizuna/policy/exercise.h"

#include <algorithm>

#include "absl/strings/str_join.h"
#include "kizuna/base/strings.h"

namespace kizuna::policy {

bool TakesPartInExercise(const store::Collection& collection, const store::Peer& peer) {
  return std::any_of(collection.communities.begin(), collection.communities.end(), [&](const std::string& c) {
    return std::find(peer.communities.begin(), peer.communities.end(), c) != peer.communities.end();
  });
}

absl::Status CheckExerciseSync(const store::Collection& collection, const store::Peer& peer) {
  if (!collection.exercise || TakesPartInExercise(collection, peer)) return absl::OkStatus();
  std::string label = collection.alias.empty() ? collection.id : collection.alias;
  return absl::PermissionDeniedError(StrCat(
      "collection ", label, " is an exercise collection and peer ", peer.name,
      " is in none of its communities (", collection.communities.empty() ? "none" : "", absl::StrJoin(collection.communities, ", "), "): exercise data is "
      "synced only with peers that take part in the exercise (docs/security.md, rule 6)"));
}

bool PeerMayReachExercise(const store::Collection& collection, const identity::Principal& principal) {
  if (!collection.exercise || principal.Kind() != identity::PrincipalKind::kPeer) return true;
  return std::any_of(collection.communities.begin(), collection.communities.end(), [&](const std::string& c) {
    return std::find(principal.groups.begin(), principal.groups.end(), c) != principal.groups.end();
  });
}

}  // namespace kizuna::policy
