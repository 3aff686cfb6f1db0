// Kizuna. Parsing the HTTP Authorization header (RFC 9110 §11.6.2) for TAXII clients.
#pragma once

// Two schemes are accepted (scheme names are case-insensitive, RFC 9110 §11.1):
//   Bearer <token>                      (RFC 6750)
//   Basic base64(<user>:<token>)        (RFC 7617; what the OASIS reference client sends)
// Anything else is refused. The user of Basic ends at the first ':'; the rest is the token.
// Thread-safety: stateless.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kizuna::taxii {

// Longest Authorization header value accepted. A Kizuna token is 63 characters and Basic
// with a 64-byte user name about 180; the limit leaves room for other clients' padding while
// refusing headers built to make the server allocate or decode much.
inline constexpr size_t kMaxAuthorizationBytes = 1024;

enum class AuthScheme : uint8_t { kBearer, kBasic };

struct Credentials {
  AuthScheme scheme = AuthScheme::kBearer;
  std::string user;   // Basic only; empty for Bearer
  std::string token;  // the token text as presented (not yet checked)
};

// Returns the credentials in header value `header`. Returns Unauthenticated with a message
// saying what is wrong (empty, too long, unknown scheme, bad base64, no ':', empty user or
// token) for the audit log; servers must not pass it on to clients.
absl::StatusOr<Credentials> ParseAuthorization(std::string_view header);

}  // namespace kizuna::taxii
