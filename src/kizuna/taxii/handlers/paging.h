// Kizuna. What the reading endpoints share: one page of a collection, with TAXII filters
// and next tokens. Internal to src/kizuna/taxii/.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "kizuna/taxii/internal/context.h"
#include "kizuna/taxii/query.h"

namespace kizuna::taxii::taxii_internal {

struct PageResult {
  store::Page page;
  std::string next;      // the token for the following page; empty when there is none
  bool continued = false;  // the request carried a next token
};

// Parses the call's query for `endpoint`, opens its next token, and reads the page from the
// store (of `object_id` for the per-object endpoints), keeping only what the policy releases
// to the caller (reading further store pages to fill the page). Errors are statuses for the client:
// InvalidArgument for bad filters or tokens.
absl::StatusOr<PageResult> ReadPage(Context& ctx, const Call& call, Endpoint endpoint,
                                    std::string_view object_id);

// Adds X-TAXII-Date-Added-First/Last for a non-empty page (§3.2); none for an empty one.
void AddDateHeaders(const store::Page& page, http::Response& response);

// Appends `"more":...,` and `"next":"...",` to a JSON object under construction.
void AppendMore(const PageResult& result, std::string& body);

}  // namespace kizuna::taxii::taxii_internal
