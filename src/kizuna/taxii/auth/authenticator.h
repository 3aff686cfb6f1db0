// Kizuna. Turning an HTTP Authorization header into a Principal, and collection access.
#pragma once

// TAXII 2.1 uses plain HTTP authentication. Kizuna accepts
//   Authorization: Bearer <token>
//   Authorization: Basic base64(<user>:<token>)     (what the OASIS reference client sends)
// Tokens are shown once when created and stored only as a slow hash; a verified token is
// remembered briefly so that requests do not pay the slow hash each time, while revocation
// and expiry still take effect on the next request.
//
// Thread-safety: implementations are safe for concurrent use by every server thread.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "kizuna/identity/principal.h"

namespace kizuna::taxii {

class Authenticator {
 public:
  virtual ~Authenticator() = default;

  // Returns the principal for `authorization` (the header's value; empty when absent).
  // Returns Unauthenticated when the header is missing, malformed, or names an unknown,
  // revoked or expired token or a wrong user; the message never says which. `remote` (the
  // client address) is recorded in the audit log on failure.
  virtual absl::StatusOr<identity::Principal> Authenticate(std::string_view authorization,
                                                         std::string_view remote) = 0;

  // Returns the authenticator's counters in Prometheus text format (lines ending in '\n'),
  // for /metrics; empty when it keeps none.
  virtual std::string MetricsText() const { return {}; }
};

struct CollectionAccess {
  bool can_read = false;
  bool can_write = false;
};

class AccessControl {
 public:
  virtual ~AccessControl() = default;

  // Returns what `principal` may do with collection `collection_id` (by the grants to its
  // organisation and groups, and its roles: a reader never writes; a node admin may do all).
  // A collection that is neither readable nor writable must be treated as absent (404).
  virtual absl::StatusOr<CollectionAccess> Access(const identity::Principal& principal,
                                                  std::string_view collection_id) = 0;
};

}  // namespace kizuna::taxii
