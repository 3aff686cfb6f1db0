// Kizuna.
#include "kizuna/taxii/handlers/paging.h"

#include <algorithm>

#include "kizuna/base/json_string.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/timestamp.h"

namespace kizuna::taxii::taxii_internal {

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = std::string(kTaxiiMediaType);
  r.body = std::move(body);
  return r;
}

namespace {

// Most entries read from the store to fill one response when the policy withholds entries.
// Store pages double in size after each read, up to store::kMaxPageLimit, so a long run of
// withheld entries costs few reads. Beyond the budget the response is short, even empty,
// with `more`/`next` carrying on from the last entry read, so nothing is skipped; only a
// caller facing more than this many withheld entries in a row can tell that some follow.
constexpr size_t kMaxEntriesReadPerPage = 200'000;

absl::StatusOr<store::Page> ReadStore(Context& ctx, const Call& call, Endpoint endpoint,
                                      std::string_view object_id, const store::PageRequest& request) {
  switch (endpoint) {
    case Endpoint::kObjects:
      return ctx.store.GetObjects(call.collection.id, request, store::WithJson::kYes);
    case Endpoint::kManifest:
      return ctx.store.GetObjects(call.collection.id, request, store::WithJson::kNo);
    case Endpoint::kObject:
      return ctx.store.GetObject(call.collection.id, object_id, request);
    case Endpoint::kVersions:
      return ctx.store.GetVersions(call.collection.id, object_id, request);
    case Endpoint::kDeleteObject:
      break;
  }
  return absl::InternalError("not a reading endpoint");
}

// The version of `visible` (one object's versions the caller may see) that takes the place
// of `withheld`, a first or last version that `filter` selected, or null. Without
// match[spec_version] only the highest spec version among them takes part, as in the store.
const store::StoredObject* Replacement(const store::ObjectFilter& filter, const store::StoredObject& withheld,
                                       const std::vector<store::StoredObject>& visible) {
  stix::SpecVersion spec = withheld.spec_version;
  if (filter.spec_versions.empty()) {
    spec = stix::SpecVersion::k20;
    for (const store::StoredObject& v : visible) spec = std::max(spec, v.spec_version);
  }
  const store::StoredObject *oldest = nullptr, *newest = nullptr;
  for (const store::StoredObject& v : visible) {
    if (v.spec_version != spec) continue;
    if (oldest == nullptr || v.version_ns < oldest->version_ns) oldest = &v;
    if (newest == nullptr || v.version_ns > newest->version_ns) newest = &v;
  }
  if (newest == nullptr) return nullptr;
  // With both first and last asked for, the withheld entry was the last if it is newer than
  // every visible version, else the first.
  bool last = filter.versions.last && (!filter.versions.first || withheld.version_ns > newest->version_ns);
  const store::StoredObject* chosen = last ? newest : oldest;
  return chosen->date_added_us > filter.added_after_us.value_or(0) ? chosen : nullptr;
}

// Filters one store page through the policy (docs/policy.md). Where a first or last version
// that the request selects is withheld, the first or last version the caller may see takes its
// place, as if the withheld versions did not exist (so a newer hidden version cannot be told
// from none), unless it was added before the request's added_after. `positions` receives, for
// each entry kept, its place in the store's order: its date_added, or the withheld entry's.
absl::Status FilterPage(Context& ctx, const Call& call, Endpoint endpoint, const store::ObjectFilter& filter,
                        std::vector<store::StoredObject>& objects, std::vector<int64_t>& positions) {
  const bool chooses = endpoint != Endpoint::kVersions && !filter.versions.all &&
                       (filter.versions.first || filter.versions.last);
  std::vector<store::StoredObject> denied;
  KZ_RETURN_IF_ERROR(ctx.policy.Filter(call.principal, call.collection, objects, chooses ? &denied : nullptr).status());
  positions.clear();
  for (const store::StoredObject& o : objects) positions.push_back(o.date_added_us);
  for (const store::StoredObject& c : denied) {
    if (c.single_version) continue;  // no other version to show instead
    auto at = std::lower_bound(positions.begin(), positions.end(), c.date_added_us);
    store::PageRequest all;
    all.limit = store::kMaxPageLimit;
    all.filter.versions.all = true;
    all.filter.spec_versions = filter.spec_versions;
    KZ_ASSIGN_OR_RETURN(store::Page versions, ctx.store.GetObject(call.collection.id, c.id, all));
    KZ_RETURN_IF_ERROR(ctx.policy.Filter(call.principal, call.collection, versions.objects).status());
    const store::StoredObject* replacement = Replacement(filter, c, versions.objects);
    if (replacement == nullptr) continue;
    bool shown = std::any_of(objects.begin(), objects.end(), [&](const store::StoredObject& o) {
      return o.date_added_us == replacement->date_added_us;
    });
    if (shown) continue;
    size_t i = at - positions.begin();
    objects.insert(objects.begin() + i, *replacement);
    positions.insert(positions.begin() + i, c.date_added_us);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PageResult> ReadPage(Context& ctx, const Call& call, Endpoint endpoint,
                                    std::string_view object_id) {
  KZ_ASSIGN_OR_RETURN(TaxiiQuery query, ParseQuery(call.http.Query(), endpoint, ctx.options.pages));
  std::string binding = StrCat(call.root.name, "|", call.collection.id, "|", object_id, "|", query.binding);
  PageResult result;
  if (!query.next.empty()) {
    KZ_ASSIGN_OR_RETURN(int64_t after, ctx.tokens.Open(query.next, binding));
    query.page.after = store::Cursor{after};
    result.continued = true;
  }
  // Reads store pages until `limit` entries the principal may see are found or the
  // collection ends; `next` always continues after the last entry read or served.
  const size_t limit = query.page.limit;
  store::Page& out = result.page;
  std::vector<int64_t> positions;
  for (size_t read = 0;;) {
    KZ_ASSIGN_OR_RETURN(store::Page page, ReadStore(ctx, call, endpoint, object_id, query.page));
    read += page.objects.size();
    KZ_RETURN_IF_ERROR(FilterPage(ctx, call, endpoint, query.page.filter, page.objects, positions));
    size_t room = limit - out.objects.size();
    if (page.objects.size() > room) {
      // More visible entries than room: stop after the last one served.
      page.objects.resize(room);
      page.more = true;
      page.next.after_date_added_us = positions[room - 1];
    }
    for (store::StoredObject& o : page.objects) out.objects.push_back(std::move(o));
    out.more = page.more;
    out.next = page.next;
    if (!page.more || out.objects.size() >= limit || read >= kMaxEntriesReadPerPage) break;
    query.page.after = page.next;
    query.page.limit = std::min(query.page.limit * 2, store::kMaxPageLimit);
  }
  if (out.more) result.next = ctx.tokens.Make(binding, out.next.after_date_added_us);
  return result;
}

void AddDateHeaders(const store::Page& page, HttpResponse& response) {
  if (page.objects.empty()) return;
  // The entries are in date_added order, except versions shown in place of withheld ones.
  auto [first, last] = std::minmax_element(
      page.objects.begin(), page.objects.end(),
      [](const store::StoredObject& a, const store::StoredObject& b) { return a.date_added_us < b.date_added_us; });
  response.headers.emplace_back("X-TAXII-Date-Added-First", stix::FormatTaxii(first->date_added_us));
  response.headers.emplace_back("X-TAXII-Date-Added-Last", stix::FormatTaxii(last->date_added_us));
}

void AppendMore(const PageResult& result, std::string& body) {
  body += result.page.more ? "\"more\":true," : "\"more\":false,";
  if (!result.next.empty()) {
    body += "\"next\":";
    AppendJsonString(result.next, body);
    body += ',';
  }
}

}  // namespace kizuna::taxii::taxii_internal
