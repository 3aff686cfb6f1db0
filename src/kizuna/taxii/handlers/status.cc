// Kizuna. Get Status (§4.3): the outcome of an earlier Add Objects, for its organisation,
// while it has not expired (ServiceOptions::status_retention_us).
#include "kizuna/base/strings.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/taxii/errors.h"
#include "kizuna/taxii/handlers/status_json.h"
#include "kizuna/taxii/internal/context.h"

namespace kizuna::taxii::taxii_internal {
namespace {

// The status resource up to its details: the opening brace, the members before them and a
// comma.
std::string StatusHead(const store::StatusRecord& s) {
  return StrCat("{\"id\":\"", s.id, "\",\"status\":\"", s.pending_count ? "pending" : "complete",
                "\",\"request_timestamp\":\"", stix::FormatTaxii(s.request_timestamp_us),
                "\",\"total_count\":", s.total_count, ",\"success_count\":", s.success_count,
                ",\"failure_count\":", s.failure_count, ",\"pending_count\":", s.pending_count, ",");
}

}  // namespace

std::string StatusJson(const store::StatusRecord& s) {
  std::string out = StatusHead(s);
  out.reserve(out.size() + s.details_json.size() + 1);
  out += s.details_json;
  out += '}';
  return out;
}

http::Response GetStatus(Context& ctx, const Call& call) {
  const int64_t not_before_us = ctx.clock.NowMicros() - ctx.options.status_retention_us;
  // The details go from the database straight into the body: one copy of them per read.
  std::string body;
  bool hidden = false;
  absl::Status read = ctx.store.ReadStatus(
      call.root.name, call.segments[2], not_before_us,
      [&](const store::StatusRecord& s, size_t details_size) -> std::string* {
        // A status names the objects of a request: only the requesting organisation (and
        // node admins) may read it; to others it does not exist.
        if (s.organization != call.principal.organization && !call.principal.Has(identity::Role::kNodeAdmin)) {
          hidden = true;
          return nullptr;
        }
        body = StatusHead(s);
        body.reserve(body.size() + details_size + 1);
        return &body;
      });
  if (read.code() == absl::StatusCode::kNotFound || hidden) return ErrorResponse(404, "no such status");
  if (!read.ok()) return ErrorResponse(read);
  body += '}';
  return JsonResponse(200, std::move(body));
}

}  // namespace kizuna::taxii::taxii_internal
