// Kizuna. TAXII 2.1 query parameters (§3.4, §3.5) to store queries.
#pragma once

// Parses `added_after`, `limit`, `next` and the `match[...]` filters of one endpoint into a
// store::PageRequest. Each endpoint accepts the filters the standard lists for it (see the
// table in ../shared/design/STIX-TAXII.md §1.2); a filter it does not support, a filter given
// twice, or a malformed value is InvalidArgument (400) naming the parameter. Other unknown
// parameters are ignored. `limit` above the server's maximum is lowered to it (the standard
// lets a server return fewer items).
// Thread-safety: stateless.

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "kizuna/store/store.h"

namespace kizuna::taxii {

enum class Endpoint : uint8_t { kObjects, kManifest, kObject, kDeleteObject, kVersions };

struct PageLimits {
  size_t default_limit = 100;   // items per page when the client gives no limit
  size_t max_limit = 1000;      // the most a client may ask for
  size_t max_match_values = 1000;  // values in one match[...] list
};

struct TaxiiQuery {
  store::PageRequest page;  // filters, limit
  std::string next;         // the client's next token, to be opened by the handler
  std::string binding;      // canonical form of the filters, which next tokens are bound to
};

// Parses the raw query string `query` for `endpoint`.
absl::StatusOr<TaxiiQuery> ParseQuery(std::string_view query, Endpoint endpoint, const PageLimits& limits);

// Percent-decodes `text` ("%5B" → "["). Returns InvalidArgument on a bad escape; '+' is kept.
absl::StatusOr<std::string> PercentDecode(std::string_view text);

}  // namespace kizuna::taxii
