// Kizuna.
#include "kizuna/policy/delete_rule.h"

#include <algorithm>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::policy {

absl::Status MayDelete(store::Store& store, Policy& policy, const identity::Principal& principal,
                       const store::Collection& collection, std::string_view object_id,
                       const std::vector<stix::SpecVersion>& spec_versions) {
  store::PageRequest all;
  all.limit = store::kMaxPageLimit;
  all.filter.spec_versions = spec_versions;
  KZ_ASSIGN_OR_RETURN(store::Page versions, store.GetVersions(collection.id, object_id, all));
  std::vector<store::StoredObject> visible = versions.objects;
  KZ_RETURN_IF_ERROR(policy.Filter(principal, collection, visible).status());
  if (visible.empty()) return absl::NotFoundError(AbslView(kNoSuchObject));
  if (principal.Kind() == identity::PrincipalKind::kOperator ||
      principal.Has(identity::Role::kNodeAdmin)) {
    return absl::OkStatus();
  }
  const auto first =
      std::min_element(versions.objects.begin(), versions.objects.end(),
                       [](const store::StoredObject& a, const store::StoredObject& b) {
                         return a.version_ns < b.version_ns;
                       });
  const std::string_view owner = OwnerOf(first->created_by_ref, first->added_by);
  if (owner.empty() || owner != principal.organization)
    return absl::PermissionDeniedError(AbslView(kNotOwnerReason));
  return absl::OkStatus();
}

}  // namespace kizuna::policy
