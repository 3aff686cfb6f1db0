// Kizuna. HTTP requests and responses as the handlers see them, free of Boost.Beast.
#pragma once

// The server (server.h, with beast_request.h the only code that includes Beast) turns each
// wire request into a Request and writes back the Response a handler returns. Handlers and
// their tests work on these plain structs, so they compile fast and are tested without
// sockets.
// Thread-safety: value types.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kizuna::http {

enum class Method : uint8_t { kGet, kHead, kPost, kDelete, kOther };

struct Request {
  Method method = Method::kGet;
  std::string target;  // as sent: path and query
  std::string accept;  // header values; empty when absent
  std::string content_type;
  std::string content_encoding;  // the Content-Encoding header: only identity is understood
  std::string authorization;
  std::string host;  // the Host header, for absolute URLs in answers
  std::string cookie;      // the Cookie header (the web console's session)
  std::string csrf_token;  // the X-CSRF-Token header (the web console's writes)
  std::string if_none_match;  // the If-None-Match header (the console's assets)
  std::string body;
  std::string remote;  // client address and port, for logs and limits per client
  // The SHA-256 (64 lowercase hex digits) of the client certificate the TLS handshake
  // verified against the server's client CA (server.h); empty when none was sent or asked.
  std::string client_certificate;

  // The path part of the target, as sent (not percent-decoded).
  std::string_view Path() const;
  // The raw query string (after '?'), or empty.
  std::string_view Query() const;
};

struct Response {
  int status = 200;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string body;
  // For an answer to HEAD: the length of the body the same GET answers with, sent as
  // Content-Length while `body` stays empty (RFC 9110 section 9.3.2). Unset otherwise.
  std::optional<size_t> head_content_length;
};

// Returns true if the Content-Encoding header `content_encoding` is absent (empty) or says
// "identity". The transport decodes no content coding, so a request in any other (gzip, ...)
// is refused with 415 before a handler sees it (router.h, Dispatch).
bool IsIdentityCoding(std::string_view content_encoding);

}  // namespace kizuna::http
