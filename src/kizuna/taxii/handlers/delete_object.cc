// Kizuna. Delete an Object (§5.7): the versions selected by match[version] and
// match[spec_version] (all versions by default) leave the collection.
#include "kizuna/base/json_string.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/directory.h"
#include "kizuna/store/object_owner.h"
#include "kizuna/taxii/errors.h"
#include "kizuna/taxii/internal/context.h"

namespace kizuna::taxii::taxii_internal {

http::Response DeleteObject(Context& ctx, const Call& call) {
  if (!call.access.can_write) return ErrorResponse(403, "you may not write to this collection");
  const std::string& object_id = call.segments[4];
  absl::StatusOr<TaxiiQuery> query = ParseQuery(call.http.Query(), Endpoint::kDeleteObject, ctx.options.pages);
  if (!query.ok()) return ErrorResponse(query.status());
  store::PageRequest all;
  all.limit = store::kMaxPageLimit;
  all.filter.spec_versions = query->page.filter.spec_versions;
  absl::StatusOr<store::Page> versions = ctx.store.GetVersions(call.collection.id, object_id, all);
  if (!versions.ok()) return ErrorResponse(versions.status());
  // An object the caller may not see does not exist for it (docs/policy.md): the same 404.
  std::vector<store::StoredObject> visible = versions->objects;
  absl::StatusOr<size_t> withheld = ctx.policy.Filter(call.principal, call.collection, visible);
  if (!withheld.ok()) return ErrorResponse(withheld.status());
  if (visible.empty()) return ErrorResponse(404, "no such object in this collection");
  // Who may delete what: one rule, shared with `kizuna delete` and `kizuna revoke`.
  absl::Status may = store::CheckMayDeleteOrRevoke(call.principal, versions->objects);
  if (!may.ok()) return ErrorResponse(may);
  // The audit entry is written in the delete's transaction (store.h).
  const store::RecordDelete record = [&](int64_t removed) -> absl::StatusOr<store::AuditEvent> {
    return store::ObjectDeletedEvent(call.principal.user, call.http.remote, call.principal.organization,
                                     call.collection.id,
                                     object_id, removed);
  };
  absl::StatusOr<int64_t> deleted =
      ctx.audit != nullptr
          ? ctx.store.DeleteObjectRecorded(call.collection.id, object_id, query->page.filter, record)
          : ctx.store.DeleteObject(call.collection.id, object_id, query->page.filter);
  if (!deleted.ok()) return ErrorResponse(deleted.status());
  if (*deleted == 0) return ErrorResponse(404, "no version of the object matches the filters");
  return JsonResponse(200, "");
}

}  // namespace kizuna::taxii::taxii_internal
