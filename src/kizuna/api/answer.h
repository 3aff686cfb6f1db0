// Kizuna. What every answer of the JSON API and the console carries, and its error format.
#pragma once

// Errors are {"status": N, "description": "..."} as application/json. Every answer of the
// console and of /api/v1/ carries the security headers: a Content-Security-Policy that
// allows no inline script and nothing from another origin (kContentSecurityPolicy),
// X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer; API answers also
// Cache-Control: no-store (they are per user).
// Thread-safety: stateless functions.

#include <string>
#include <string_view>

#include "kizuna/http/message.h"

namespace kizuna::api {

inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

// An answer with `status` and the JSON error body.
http::Response ErrorAnswer(int status, std::string_view description);
// A 200 answer with the JSON text `body`.
http::Response JsonAnswer(std::string body, int status = 200);
// A 200 answer with `body` of `content_type` to be saved as a file (Content-Disposition:
// attachment) named `file_name`, of which only [A-Za-z0-9._-] are kept (others become '_').
http::Response Attachment(std::string body, std::string_view content_type, std::string_view file_name);
// Adds the security headers (and, when `api`, Cache-Control: no-store) to `r`.
void AddSecurityHeaders(http::Response& r, bool api);

}  // namespace kizuna::api
