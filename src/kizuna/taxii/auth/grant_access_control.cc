// Kizuna.
#include "kizuna/taxii/auth/grant_access_control.h"

#include <algorithm>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::taxii {
namespace {

bool Applies(const store::Grantee& grantee, const identity::Principal& principal) {
  if (grantee.kind == store::GranteeKind::kOrganization) {
    return grantee.name == principal.organization;
  }
  return std::find(principal.groups.begin(), principal.groups.end(), grantee.name) !=
         principal.groups.end();
}

}  // namespace

GrantAccessControl::GrantAccessControl(store::Directory& directory, Clock& clock,
                                       AccessControlOptions options)
    : directory_(directory), watch_(directory, clock, options.refresh_interval_us) {}

absl::StatusOr<CollectionAccess> GrantAccessControl::Access(const identity::Principal& principal,
                                                            std::string_view collection_id) {
  using identity::Role;
  if (principal.Has(Role::kNodeAdmin)) return CollectionAccess{true, true};
  bool may_read = principal.Has(Role::kReader) || principal.Has(Role::kPublisher) ||
                  principal.Has(Role::kOrgAdmin) || principal.Has(Role::kPeer);
  bool may_write = principal.Has(Role::kPublisher) || principal.Has(Role::kOrgAdmin) ||
                   principal.Has(Role::kPeer);
  if (!may_read && !may_write) return CollectionAccess{};
  KZ_ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> snapshot, Current());
  auto it = snapshot->by_collection.find(AbslView(collection_id));
  if (it == snapshot->by_collection.end()) return CollectionAccess{};
  CollectionAccess access;
  for (const store::Grant& g : it->second) {
    if (!Applies(g.grantee, principal)) continue;
    access.can_read |= g.permissions.read && may_read;
    access.can_write |= g.permissions.write && may_write;
  }
  return access;
}

absl::StatusOr<std::shared_ptr<const GrantAccessControl::Snapshot>> GrantAccessControl::Current() {
  KZ_ASSIGN_OR_RETURN(uint64_t epoch, watch_.Epoch());
  {
    absl::MutexLock lock(&mu_);
    if (snapshot_ && snapshot_->epoch == epoch) return snapshot_;
  }
  KZ_ASSIGN_OR_RETURN(std::vector<store::Grant> grants, directory_.ListGrants(""));
  auto fresh = std::make_shared<Snapshot>();
  fresh->epoch = epoch;
  for (store::Grant& g : grants) {
    std::string collection = g.collection;
    fresh->by_collection[collection].push_back(std::move(g));
  }
  absl::MutexLock lock(&mu_);
  if (!snapshot_ || snapshot_->epoch < epoch) snapshot_ = fresh;
  return std::shared_ptr<const Snapshot>(fresh);
}

}  // namespace kizuna::taxii
