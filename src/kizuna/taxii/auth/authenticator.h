// Kizuna. Turning an HTTP Authorization header into a Principal, and collection access.
#pragma once

// TAXII 2.1 uses plain HTTP authentication. Kizuna accepts
//   Authorization: Bearer <token>
//   Authorization: Basic base64(<user>:<token>)     (what the OASIS reference client sends)
// and, without an Authorization header, a client certificate verified in the TLS handshake
// and mapped to a user (mutual TLS; docs/access.md).
// Tokens are shown once when created and stored only as a slow hash; a verified token is
// remembered briefly so that requests do not pay the slow hash each time, while revocation
// and expiry still take effect on the next request.
//
// Thread-safety: implementations are safe for concurrent use by every server thread.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "kizuna/http/message.h"
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

  // Returns the principal of the user the client certificate `sha256` (verified by the TLS
  // handshake, http::Request::client_certificate) is mapped to (store::Directory::
  // AddUserCertificate). Returns Unauthenticated, audited as a failed login, when it maps to
  // no user or the user is disabled. This default knows no certificates.
  virtual absl::StatusOr<identity::Principal> AuthenticateCertificate(std::string_view sha256,
                                                                    std::string_view remote) {
    (void)sha256;
    (void)remote;
    return absl::UnauthenticatedError("client certificates are not accepted here");
  }

  // Returns the principal of `request`: by its Authorization header when it has one, else by
  // its verified client certificate when it has one, else Unauthenticated as Authenticate("").
  absl::StatusOr<identity::Principal> AuthenticateRequest(const http::Request& request) {
    if (request.authorization.empty() && !request.client_certificate.empty()) {
      return AuthenticateCertificate(request.client_certificate, request.remote);
    }
    return Authenticate(request.authorization, request.remote);
  }

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
