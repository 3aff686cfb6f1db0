// Kizuna. A taxii feed's pull: the pages a TAXII 2.1 collection added since the last run.
#pragma once

// PullTaxiiFeed reads the collection whose URL is the feed's (".../collections/ID/"), as a
// client of any TAXII 2.1 server (taxii_client.h: the feed's TLS, CA file and credential):
//   GET <url>objects/?limit=500&match[version]=all&match[spec_version]=2.0,2.1
//       [&added_after=<the cursor>]
// page after page while the server says `more`, and hands each page (an envelope) to
// `import`. The cursor is the X-TAXII-Date-Added-Last of the last page imported; it must be
// a STIX timestamp, and a page that does not move it ends the pull. Bounds, as a hostile
// server is expected: the feed's timeout_ms for the whole pull, its max_bytes per page, and
// kMaxTaxiiFeedPages pages a run (the next run goes on from the cursor). Errors name the
// feed: PermissionDenied (HTTP 401, 403), NotFound (404), Unavailable (another status,
// unreachable), DeadlineExceeded, ResourceExhausted (a page over max_bytes), InvalidArgument
// (a URL that does not end in '/' or a cursor that is not a timestamp), and `import`'s.
//
// Thread-safety: stateless.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "kizuna/store/feeds.h"

namespace kizuna::sync {

inline constexpr int kMaxTaxiiFeedPages = 1000;
inline constexpr int kTaxiiFeedPageSize = 500;

struct TaxiiFeedPull {
  std::string cursor;  // the next run's added_after (the one given when nothing came)
  int pages = 0;       // pages imported
  int64_t bytes = 0;   // their bodies
};

// Pulls `feed` (see above) from `cursor` on ("" for the first run); `import` takes each page.
// `pull` tells what was imported, also when an error ends the pull (those pages stay, and the
// next run goes on after them).
absl::Status PullTaxiiFeed(const store::Feed& feed, std::string_view cursor,
                           absl::FunctionRef<absl::Status(std::string_view page)> import, TaxiiFeedPull& pull);

}  // namespace kizuna::sync
