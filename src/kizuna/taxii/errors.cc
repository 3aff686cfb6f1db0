// Kizuna.
#include "kizuna/taxii/errors.h"

#include "kizuna/base/json_string.h"
#include "kizuna/base/strings.h"

namespace kizuna::taxii {

int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk: return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange: return 400;
    case absl::StatusCode::kUnauthenticated: return 401;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted: return 409;
    case absl::StatusCode::kResourceExhausted: return 413;
    case absl::StatusCode::kUnavailable: return 503;
    default: return 500;
  }
}

std::string_view HttpTitle(int http_status) {
  switch (http_status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return http_status >= 500 ? "Internal Server Error" : "Error";
  }
}

http::Response ErrorResponse(int http_status, std::string_view description) {
  http::Response r;
  r.status = http_status;
  r.content_type = std::string(kTaxiiMediaType);
  r.body = "{\"title\":";
  AppendJsonString(HttpTitle(http_status), r.body);
  r.body += ",\"description\":";
  AppendJsonString(description, r.body);
  StrAppend(r.body, ",\"http_status\":\"", http_status, "\"}");
  if (http_status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"kizuna\", Basic realm=\"kizuna\"");
  return r;
}

http::Response AuthenticationFailure(const absl::Status& status) {
  if (!absl::IsUnavailable(status)) {
    return ErrorResponse(401, "authentication required: a valid token (Bearer or Basic)");
  }
  http::Response r = ErrorResponse(503, View(status.message()));
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

http::Response ErrorResponse(const absl::Status& status) {
  int http = HttpStatusOf(status.code());
  if (http >= 500 && http != 503) return ErrorResponse(http, "the server could not complete the request");
  return ErrorResponse(http, View(status.message()));
}

}  // namespace kizuna::taxii
