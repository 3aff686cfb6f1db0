// Kizuna. Delete an Object (§5.7): the versions selected by match[version] and
// match[spec_version] (all versions by default) leave the collection.
#include "kizuna/base/json_string.h"
#include "kizuna/base/strings.h"
#include "kizuna/policy/delete_rule.h"
#include "kizuna/store/directory.h"
#include "kizuna/taxii/errors.h"
#include "kizuna/taxii/internal/context.h"

namespace kizuna::taxii::taxii_internal {

http::Response DeleteObject(Context& ctx, const Call& call) {
  if (!call.access.can_write) return ErrorResponse(403, "you may not write to this collection");
  const std::string& object_id = call.segments[4];
  absl::StatusOr<TaxiiQuery> query = ParseQuery(call.http.Query(), Endpoint::kDeleteObject, ctx.options.pages);
  if (!query.ok()) return ErrorResponse(query.status());
  // Who may delete what is the policy's one rule (docs/access.md); an object the caller may
  // not see answers the same 404 as an absent one.
  absl::Status may = policy::MayDelete(ctx.store, ctx.policy, call.principal, call.collection,
                                       object_id, query->page.filter.spec_versions);
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
