// Kizuna. Add Objects (§5.5): validate each object of the envelope, store the good ones in
// one transaction, answer 202 with a status resource that is kept for later reads.
#include <vector>

#include "kizuna/base/json_string.h"
#include "kizuna/base/random.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/id.h"
#include "kizuna/stix/parser.h"
#include "kizuna/stix/reader.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/taxii/errors.h"
#include "kizuna/taxii/handlers/status_json.h"
#include "kizuna/taxii/internal/context.h"
#include "kizuna/taxii/media.h"

namespace kizuna::taxii::taxii_internal {
namespace {

void AppendDetail(std::string_view id, std::string_view version, std::string_view message, std::string& out) {
  if (out.back() != '[') out += ',';
  out += "{\"id\":";
  AppendJsonString(id, out);
  out += ",\"version\":";
  AppendJsonString(version, out);
  if (!message.empty()) {
    out += ",\"message\":";
    AppendJsonString(message, out);
  }
  out += '}';
}

}  // namespace

HttpResponse AddObjects(Context& ctx, const Call& call) {
  if (!IsTaxiiContentType(call.http.content_type)) {
    return ErrorResponse(415, StrCat("send the envelope as ", kTaxiiMediaType));
  }
  if (!call.access.can_write) return ErrorResponse(403, "you may not write to this collection");
  int64_t max = call.root.max_content_length > 0 ? call.root.max_content_length : ctx.options.default_max_content_length;
  if (static_cast<int64_t>(call.http.body.size()) > max) {
    return ErrorResponse(413, StrCat("the request body is larger than max_content_length (", max, " octets)"));
  }
  int64_t request_us = ctx.clock.NowMicros();

  // The whole envelope is read first: a broken container is the client's error (400) and
  // nothing of it is stored.
  stix::DocumentReader reader(call.http.body);
  std::vector<stix::ObjectSpan> spans;
  stix::ObjectSpan span;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(span);
    if (!more.ok()) return ErrorResponse(400, StrCat("the envelope is not valid JSON: ", View(more.status().message())));
    if (!*more) break;
    spans.push_back(span);
  }
  if (reader.format() != stix::DocumentFormat::kEnvelope && reader.format() != stix::DocumentFormat::kBundle) {
    return ErrorResponse(400, "expected a TAXII envelope: {\"objects\": [...]}");
  }

  thread_local stix::ObjectParser parser;
  std::vector<stix::ObjectIndex> indexes;
  indexes.reserve(spans.size());  // no reallocation: `good` points into it
  std::vector<store::NewObject> good;
  std::string failures = "[";
  int64_t failure_count = 0;
  for (const stix::ObjectSpan& s : spans) {
    if (!s.error.empty()) {
      AppendDetail("", "", StrCat(reader.Where(s.offset), ": ", s.error), failures);
      ++failure_count;
      continue;
    }
    absl::StatusOr<stix::ObjectIndex> index = parser.Parse(s.json, stix::Padding::kAbsent);
    if (!index.ok()) {
      AppendDetail(parser.last_id(), parser.last_version(), View(index.status().message()), failures);
      ++failure_count;
      continue;
    }
    indexes.push_back(std::move(*index));
    good.push_back({s.json, &indexes.back()});
  }
  std::string successes = "[";
  int64_t success_count = 0;
  if (!good.empty()) {
    // What a partner node sends is received, not this node's own (docs/policy.md, AMBER).
    absl::StatusOr<std::vector<store::AddResult>> results =
        call.principal.Has(policy::Role::kPeer)
            ? ctx.store.AddObjectsFrom(call.collection.id, good, call.principal.user)
            : ctx.store.AddObjects(call.collection.id, good);
    if (!results.ok()) return ErrorResponse(results.status());
    int64_t added = 0;
    for (size_t i = 0; i < results->size(); ++i) {
      const stix::ObjectIndex& index = *good[i].index;
      const auto& version = index.version();
      std::string version_text = version ? stix::FormatTimestamp(*version, std::max(version->fraction_digits, 3)) : "";
      if ((*results)[i].outcome == store::AddOutcome::kConflict) {
        AppendDetail(index.id, version_text, "a different object with the same id and version is already stored", failures);
        ++failure_count;
        continue;
      }
      added += (*results)[i].outcome == store::AddOutcome::kAdded;
      AppendDetail(index.id, version_text,
                   (*results)[i].outcome == store::AddOutcome::kAdded ? "" : "already present", successes);
      ++success_count;
    }
    ctx.metrics.AddObjectsWritten(added);
    if (ctx.audit != nullptr && added > 0) {
      std::vector<std::string_view> ids;
      for (size_t i = 0; i < results->size(); ++i) {
        if ((*results)[i].outcome == store::AddOutcome::kAdded) ids.push_back(good[i].index->id);
      }
      // The objects are stored whatever happens to the audit write; it is best effort.
      ctx.audit->AuditObjectsAdded(call.principal.user, call.http.remote, call.collection.id, ids).IgnoreError();
    }
  }
  successes += ']';
  failures += ']';

  store::StatusRecord status;
  status.id = stix::NewUuidV4(SecureRandom());
  status.api_root = call.root.name;
  status.organization = call.principal.organization;
  status.request_timestamp_us = request_us;
  status.total_count = static_cast<int64_t>(spans.size());
  status.success_count = success_count;
  status.failure_count = failure_count;
  status.details_json = StrCat("\"successes\":", successes, ",\"failures\":", failures);
  if (absl::Status saved = ctx.store.SaveStatus(status); !saved.ok()) return ErrorResponse(saved);
  return JsonResponse(202, StatusJson(status));
}

}  // namespace kizuna::taxii::taxii_internal
