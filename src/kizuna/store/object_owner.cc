// Kizuna.
#include "kizuna/store/object_owner.h"

#include <algorithm>

namespace kizuna::store {

const StoredObject* FirstVersion(std::span<const StoredObject> versions) {
  auto first = std::min_element(
      versions.begin(), versions.end(),
      [](const StoredObject& a, const StoredObject& b) { return a.version_ns < b.version_ns; });
  return first == versions.end() ? nullptr : &*first;
}

absl::Status CheckMayDeleteOrRevoke(const identity::Principal& principal,
                                    std::span<const StoredObject> versions) {
  if (principal.Has(identity::Role::kNodeAdmin)) return absl::OkStatus();
  const StoredObject* first = FirstVersion(versions);
  if (first != nullptr && !principal.organization.empty() &&
      first->created_by_ref == principal.organization) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      "only the organisation that created an object may delete or revoke it");
}

}  // namespace kizuna::store
