// Kizuna. Fetching a scheduled feed's body: conditional, bounded, and from its own host only.
#pragma once

// FetchFeed GETs a feed's URL with the TAXII client (taxii_client.h: the same TLS, CA file and
// Authorization rules as peers; one deadline for the whole exchange), as a hostile server is
// expected at the other end:
//   - conditional: If-None-Match and If-Modified-Since carry the validators the last imported
//     body came with; 304 Not Modified is an answer with nothing to import;
//   - bounded: the body is read up to the feed's max_bytes, within its timeout_ms (a server
//     that drips its answer is cut off too); gzip is asked for (Accept-Encoding), and a gzip
//     body (Content-Encoding gzip, or a body that is gzip) is undone up to max_bytes as well,
//     so a gzip bomb stops at the limit; any other Content-Encoding is refused;
//   - its own host only: at most kMaxFeedRedirects redirects are followed, each to the same
//     scheme, host and port (an absolute path, or an absolute URL naming them); a redirect
//     anywhere else, or one too many, is an error that names the Location.
//
// Errors name the feed: FailedPrecondition (a refused redirect or encoding, a CA file),
// PermissionDenied (HTTP 401 or 403), NotFound (404), ResourceExhausted (a body over the
// limit), DeadlineExceeded (too slow), Unavailable (unreachable, another HTTP status).
// Thread-safety: stateless.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "kizuna/store/feeds.h"
#include "kizuna/sync/taxii_client.h"

namespace kizuna::sync {

// The most redirects followed for one fetch.
inline constexpr int kMaxFeedRedirects = 5;

struct FetchedFeed {
  bool not_modified = false;  // 304: `body` is empty
  std::string body;           // the body, gzip undone
  std::string etag;           // the answer's validators, for the next fetch
  std::string last_modified;
  int redirects = 0;
};

// Fetches `feed.url` (see above).
absl::StatusOr<FetchedFeed> FetchFeed(const store::Feed& feed);

// How to reach the server of `feed`: its URL's scheme, host and port (store/peer_url.h rules),
// the feed's credential and CA file; errors name the feed.
absl::StatusOr<Endpoint> FeedEndpoint(const store::Feed& feed);

// The error for an answer that is not a success: PermissionDenied (401, 403), NotFound
// (404), Unavailable (others), with the status and the start of the body (control
// characters shown as '?').
absl::Status FeedHttpError(const ClientResponse& r);

// The request target of `url`: its path and query ("/" when it has none).
std::string FeedTarget(std::string_view url);

}  // namespace kizuna::sync
