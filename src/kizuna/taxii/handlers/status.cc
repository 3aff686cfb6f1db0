// Kizuna. Get Status (§4.3): the outcome of an earlier Add Objects, for its organisation.
#include "kizuna/base/strings.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/taxii/errors.h"
#include "kizuna/taxii/handlers/status_json.h"
#include "kizuna/taxii/internal/context.h"

namespace kizuna::taxii::taxii_internal {

std::string StatusJson(const store::StatusRecord& s) {
  return StrCat("{\"id\":\"", s.id, "\",\"status\":\"", s.pending_count ? "pending" : "complete",
                "\",\"request_timestamp\":\"", stix::FormatTaxii(s.request_timestamp_us),
                "\",\"total_count\":", s.total_count, ",\"success_count\":", s.success_count,
                ",\"failure_count\":", s.failure_count, ",\"pending_count\":", s.pending_count, ",",
                s.details_json, "}");
}

HttpResponse GetStatus(Context& ctx, const Call& call) {
  absl::StatusOr<store::StatusRecord> status = ctx.store.GetStatus(call.root.name, call.segments[2]);
  // A status names the objects of a request: only the requesting organisation (and node
  // admins) may read it; to others it does not exist.
  if (!status.ok() || (status->organization != call.principal.organization &&
                       !call.principal.Has(policy::Role::kNodeAdmin))) {
    return ErrorResponse(404, "no such status");
  }
  return JsonResponse(200, StatusJson(*status));
}

}  // namespace kizuna::taxii::taxii_internal
