// Kizuna. The reading endpoints of a collection: Get Objects (§5.4), Get Object Manifests
// (§5.3), Get an Object (§5.6) and Get Object Versions (§5.8).
#include "kizuna/base/json_string.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/taxii/errors.h"
#include "kizuna/taxii/handlers/paging.h"
#include "kizuna/taxii/media.h"

namespace kizuna::taxii::taxii_internal {
namespace {

// The envelope (§3.7): the objects' JSON as stored, byte for byte.
http::Response Envelope(Context& ctx, const PageResult& result) {
  std::string body = "{";
  AppendMore(result, body);
  if (result.page.objects.empty()) {
    body.back() = '}';  // no "objects": the standard's lists are never empty
  } else {
    size_t bytes = 0;
    for (const auto& o : result.page.objects) bytes += o.json.size() + 1;
    body.reserve(body.size() + bytes + 16);
    body += "\"objects\":[";
    for (size_t i = 0; i < result.page.objects.size(); ++i) {
      if (i) body += ',';
      body += result.page.objects[i].json;
    }
    body += "]}";
  }
  ctx.metrics.AddObjectsServed(static_cast<int64_t>(result.page.objects.size()));
  http::Response r = JsonResponse(200, std::move(body));
  AddDateHeaders(result.page, r);
  return r;
}

http::Response ReadDenied() { return ErrorResponse(403, "you may not read this collection"); }

}  // namespace

http::Response GetObjects(Context& ctx, const Call& call) {
  if (!call.access.can_read) return ReadDenied();
  absl::StatusOr<PageResult> result = ReadPage(ctx, call, Endpoint::kObjects, {});
  if (!result.ok()) return ErrorResponse(result.status());
  return Envelope(ctx, *result);
}

http::Response GetObject(Context& ctx, const Call& call) {
  if (!call.access.can_read) return ReadDenied();
  const std::string& object_id = call.segments[4];
  absl::StatusOr<PageResult> result = ReadPage(ctx, call, Endpoint::kObject, object_id);
  if (!result.ok()) return ErrorResponse(result.status());
  if (result->page.objects.empty() && !result->continued) return ErrorResponse(404, "no such object in this collection");
  return Envelope(ctx, *result);
}

http::Response GetManifest(Context& ctx, const Call& call) {
  if (!call.access.can_read) return ReadDenied();
  absl::StatusOr<PageResult> result = ReadPage(ctx, call, Endpoint::kManifest, {});
  if (!result.ok()) return ErrorResponse(result.status());
  std::string body = "{";
  AppendMore(*result, body);
  if (result->page.objects.empty()) {
    body.back() = '}';
  } else {
    body += "\"objects\":[";
    for (size_t i = 0; i < result->page.objects.size(); ++i) {
      const store::StoredObject& o = result->page.objects[i];
      StrAppend(body, i ? "," : "", "{\"id\":");
      AppendJsonString(o.id, body);
      StrAppend(body, ",\"date_added\":\"", stix::FormatTaxii(o.date_added_us), "\",\"version\":");
      AppendJsonString(o.version, body);
      StrAppend(body, ",\"media_type\":\"",
                o.spec_version == stix::SpecVersion::k20 ? kStix20MediaType : kStix21MediaType, "\"}");
    }
    body += "]}";
  }
  http::Response r = JsonResponse(200, std::move(body));
  AddDateHeaders(result->page, r);
  return r;
}

http::Response GetVersions(Context& ctx, const Call& call) {
  if (!call.access.can_read) return ReadDenied();
  const std::string& object_id = call.segments[4];
  absl::StatusOr<PageResult> result = ReadPage(ctx, call, Endpoint::kVersions, object_id);
  if (!result.ok()) return ErrorResponse(result.status());
  if (result->page.objects.empty() && !result->continued) return ErrorResponse(404, "no such object in this collection");
  std::string body = "{";
  AppendMore(*result, body);
  if (result->page.objects.empty()) {
    body.back() = '}';
  } else {
    body += "\"versions\":[";
    for (size_t i = 0; i < result->page.objects.size(); ++i) {
      if (i) body += ',';
      AppendJsonString(result->page.objects[i].version, body);
    }
    body += "]}";
  }
  http::Response r = JsonResponse(200, std::move(body));
  AddDateHeaders(result->page, r);
  return r;
}

}  // namespace kizuna::taxii::taxii_internal
