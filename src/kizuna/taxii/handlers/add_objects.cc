// Kizuna. Add Objects (§5.5): validate each object of the envelope, store the good ones in
// one transaction, answer 202 with a status resource that is kept for later reads.
#include <optional>
#include <string_view>
#include <vector>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/ingest/object_checker.h"
#include "kizuna/ingest/tally.h"
#include "kizuna/stix/id.h"
#include "kizuna/stix/reader.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/store/directory.h"
#include "kizuna/taxii/errors.h"
#include "kizuna/taxii/handlers/status_details.h"
#include "kizuna/taxii/handlers/status_json.h"
#include "kizuna/taxii/internal/context.h"
#include "kizuna/taxii/media.h"

namespace kizuna::taxii::taxii_internal {
namespace {

// Whether the principal may see the entry of `id` added at `date_added_us` in the call's
// collection (0: an entry of another collection, not seen from here), or with nullopt, any
// version of `id` there.
absl::StatusOr<bool> SeesEntry(Context& ctx, const Call& call, std::string_view id,
                               std::optional<int64_t> date_added_us) {
  if (date_added_us == 0) return false;
  store::PageRequest all;
  all.limit = store::kMaxPageLimit;
  all.filter.spec_versions = {stix::SpecVersion::k20, stix::SpecVersion::k21};
  KZ_ASSIGN_OR_RETURN(store::Page versions, ctx.store.GetVersions(call.collection.id, id, all));
  if (date_added_us) {
    std::erase_if(versions.objects, [&](const store::StoredObject& o) { return o.date_added_us != *date_added_us; });
  }
  KZ_RETURN_IF_ERROR(ctx.policy.Filter(call.principal, call.collection, versions.objects).status());
  return !versions.objects.empty();
}

}  // namespace

http::Response AddObjects(Context& ctx, const Call& call) {
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
  // nothing of it is stored. One object more than the bound is a 413, before any is parsed.
  stix::DocumentReader reader(call.http.body);
  std::vector<stix::ObjectSpan> spans;
  stix::ObjectSpan span;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(span);
    if (!more.ok()) return ErrorResponse(400, StrCat("the envelope is not valid JSON: ", View(more.status().message())));
    if (!*more) break;
    if (spans.size() == ctx.options.max_envelope_objects) {
      return ErrorResponse(413, StrCat("the envelope holds more than ", ctx.options.max_envelope_objects,
                                       " objects (limits.max_envelope_objects); send them in several requests"));
    }
    spans.push_back(span);
  }
  if (reader.format() != stix::DocumentFormat::kEnvelope && reader.format() != stix::DocumentFormat::kBundle) {
    return ErrorResponse(400, "expected a TAXII envelope: {\"objects\": [...]}");
  }

  thread_local ingest::ObjectChecker checker;
  std::vector<stix::ObjectIndex> indexes;
  indexes.reserve(spans.size());  // no reallocation: `good` points into it
  std::vector<store::NewObject> good;
  DetailList failures(ctx.options.max_status_details);
  store::StatusRecord status;
  status.id = stix::NewUuidV4(ctx.random);
  status.api_root = call.root.name;
  status.organization = call.principal.organization;
  status.request_timestamp_us = request_us;
  status.total_count = static_cast<int64_t>(spans.size());
  for (const stix::ObjectSpan& s : spans) {
    if (!s.error.empty()) {
      AppendDetail(DetailHead("", ""), StrCat(reader.Where(s.offset), ": ", s.error), failures);
      ++status.failure_count;
      continue;
    }
    absl::StatusOr<stix::ObjectIndex> index = checker.Check(s.json, stix::Padding::kAbsent);
    if (!index.ok()) {
      AppendDetail(DetailHead(checker.last_id(), checker.last_version()), View(index.status().message()), failures);
      ++status.failure_count;
      continue;
    }
    indexes.push_back(std::move(*index));
    good.push_back({s.json, &indexes.back()});
  }
  DetailList successes(ctx.options.max_status_details);
  const auto finish = [&] { status.details_json = DetailsJson(successes, failures); };
  if (good.empty()) {
    finish();
    if (absl::Status saved = ctx.store.SaveStatus(status); !saved.ok()) return ErrorResponse(saved);
    return JsonResponse(202, StatusJson(status));
  }

  // The status and the audit event are written in the objects' transaction (store.h); what
  // does not depend on the results is prepared before, outside the store's writer.
  std::vector<std::string> heads;
  heads.reserve(good.size());
  for (const store::NewObject& o : good) {
    const auto& version = o.index->version();
    heads.push_back(DetailHead(o.index->id, version ? stix::FormatTimestamp(*version, std::max(version->fraction_digits, 3)) : ""));
  }
  int64_t added = 0;
  const store::RecordAdd record = [&](std::span<const store::AddResult> results) -> absl::StatusOr<store::AddRecords> {
    store::AddRecords records;
    std::vector<std::string_view> added_ids;
    for (size_t i = 0; i < results.size(); ++i) {
      const stix::ObjectIndex& index = *good[i].index;
      store::AddOutcome outcome = results[i].outcome;
      if (outcome == store::AddOutcome::kAdded) added_ids.push_back(index.id);
      // A stored version the caller may not see does not exist for it (docs/policy.md): the
      // status reads as for a version just added, so it cannot be used to probe for ids.
      if (outcome == store::AddOutcome::kAlreadyPresent || outcome == store::AddOutcome::kConflict) {
        KZ_ASSIGN_OR_RETURN(bool sees, SeesEntry(ctx, call, index.id, results[i].date_added_us));
        if (!sees) outcome = store::AddOutcome::kAdded;
      }
      // Another creator's versions the caller cannot see here (ids derived from content, as
      // feeds' indicators, can be computed by anyone): no refusal tells of them.
      if (outcome == store::AddOutcome::kRefused && results[i].other_creator) {
        KZ_ASSIGN_OR_RETURN(bool sees, SeesEntry(ctx, call, index.id, std::nullopt));
        if (!sees) outcome = store::AddOutcome::kAdded;
      }
      if (outcome == store::AddOutcome::kConflict || outcome == store::AddOutcome::kRefused) {
        AppendDetail(heads[i], ingest::RejectionReason(results[i]), failures);
        ++status.failure_count;
        continue;
      }
      AppendDetail(heads[i], outcome == store::AddOutcome::kAdded ? "" : "already present", successes);
      ++status.success_count;
    }
    finish();
    records.status = status;
    added = static_cast<int64_t>(added_ids.size());
    if (ctx.audit != nullptr && added > 0) {
      records.audit.push_back(store::ObjectsAddedEvent(call.principal.user, call.http.remote, call.collection.id, added_ids));
    }
    return records;
  };
  // What a partner node sends is received, not this node's own (docs/policy.md, AMBER), and
  // what a user sends is its organisation's (store.h, Writer).
  const store::Writer writer{call.principal.Has(identity::Role::kPeer) ? store::WriterKind::kPartner
                                                                       : store::WriterKind::kUser,
                             call.principal.user, call.principal.organization,
                             call.principal.nation};
  absl::StatusOr<std::vector<store::AddResult>> results =
      ctx.store.AddObjectsRecorded(call.collection.id, good, writer, record);
  if (!results.ok()) return ErrorResponse(results.status());
  ctx.metrics.AddObjectsWritten(added);
  return JsonResponse(202, StatusJson(status));
}

}  // namespace kizuna::taxii::taxii_internal
