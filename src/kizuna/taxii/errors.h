// Kizuna. TAXII error responses (TAXII 2.1 §3.6.1).
#pragma once

// Every failure a client sees is a TAXII error message with the TAXII media type:
//   {"title": "...", "description": "...", "http_status": "404"}
// Status codes follow what the client should do (STYLE point 22; see HttpStatusOf).
// Internal details never reach the client: a 500 says only that the request failed; the
// server's log records the cause.
// Thread-safety: stateless.

#include <string_view>

#include "absl/status/status.h"
#include "kizuna/http/message.h"
#include "kizuna/taxii/media.h"

namespace kizuna::taxii {

// Returns the HTTP status for a status code: InvalidArgument 400, Unauthenticated 401,
// PermissionDenied 403, NotFound 404, AlreadyExists 409, ResourceExhausted 413,
// Unavailable 503, OK 200, anything else 500.
int HttpStatusOf(absl::StatusCode code);

// Returns the short title for an HTTP status ("Bad Request", ...).
std::string_view HttpTitle(int http_status);

// Returns a TAXII error response with the given status and description.
http::Response ErrorResponse(int http_status, std::string_view description);

// Returns the answer to a failed authentication (Authenticator::Authenticate's status): 401
// asking for a token, or 503 with Retry-After when the node could not check the credentials
// at the moment (authenticator.h).
http::Response AuthenticationFailure(const absl::Status& status);

// Returns the TAXII error response for `status` (REQUIRES: not OK). For 500s the message is
// replaced by a generic one; the caller logs the original.
http::Response ErrorResponse(const absl::Status& status);

}  // namespace kizuna::taxii
