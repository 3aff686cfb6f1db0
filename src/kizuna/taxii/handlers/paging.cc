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
  for (size_t read = 0;;) {
    KZ_ASSIGN_OR_RETURN(store::Page page, ReadStore(ctx, call, endpoint, object_id, query.page));
    read += page.objects.size();
    KZ_RETURN_IF_ERROR(ctx.policy.Filter(call.principal, call.collection, page.objects).status());
    size_t room = limit - out.objects.size();
    if (page.objects.size() > room) {
      // More visible entries than room: stop after the last one served.
      page.objects.resize(room);
      page.more = true;
      page.next.after_date_added_us = page.objects.back().date_added_us;
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
  response.headers.emplace_back("X-TAXII-Date-Added-First", stix::FormatTaxii(page.objects.front().date_added_us));
  response.headers.emplace_back("X-TAXII-Date-Added-Last", stix::FormatTaxii(page.objects.back().date_added_us));
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
