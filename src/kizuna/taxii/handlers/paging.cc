// Kizuna.
#include "kizuna/taxii/handlers/paging.h"

#include <algorithm>

#include "kizuna/base/json_string.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/taxii/media.h"

namespace kizuna::taxii::taxii_internal {

http::Response JsonResponse(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.content_type = std::string(kTaxiiMediaType);
  r.body = std::move(body);
  return r;
}

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
  using Kind = policy::ReadTarget::Kind;
  const Kind kind = endpoint == Endpoint::kManifest ? Kind::kManifest
                    : endpoint == Endpoint::kObject  ? Kind::kObject
                    : endpoint == Endpoint::kVersions ? Kind::kVersions
                                                      : Kind::kObjects;
  KZ_ASSIGN_OR_RETURN(result.page, ctx.reader.Read(call.principal, call.collection, {kind, object_id}, query.page));
  if (result.page.more) result.next = ctx.tokens.Make(binding, result.page.next.after_date_added_us);
  return result;
}

void AddDateHeaders(const store::Page& page, http::Response& response) {
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
