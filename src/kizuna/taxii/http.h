// Kizuna. HTTP requests and responses as the TAXII layer sees them, free of Boost.Beast.
#pragma once

// The server (server/, the only code that includes Beast) turns each wire request into an
// HttpRequest and writes back the HttpResponse the router returns. Handlers and tests work on
// these plain structs, so most of the TAXII layer compiles fast and is tested without sockets.
// Thread-safety: value types.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kizuna::taxii {

enum class Method : uint8_t { kGet, kHead, kPost, kDelete, kOther };

struct HttpRequest {
  Method method = Method::kGet;
  std::string target;        // as sent: path and query
  std::string accept;        // header values; empty when absent
  std::string content_type;
  std::string content_encoding;  // the Content-Encoding header: only identity is understood
  std::string authorization;
  std::string host;          // the Host header, for URLs in the discovery resource
  std::string body;
  std::string remote;        // client address, for logs and rate limits

  // The path part of the target, percent-decoded per segment by the router.
  std::string_view Path() const;
  // The raw query string (after '?'), or empty.
  std::string_view Query() const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string body;
  // For an answer to HEAD: the length of the body the same GET answers with, sent as
  // Content-Length while `body` stays empty (RFC 9110 section 9.3.2). Unset otherwise.
  std::optional<size_t> head_content_length;
};

inline constexpr std::string_view kTaxiiMediaType = "application/taxii+json;version=2.1";
inline constexpr std::string_view kStix21MediaType = "application/stix+json;version=2.1";
inline constexpr std::string_view kStix20MediaType = "application/stix+json;version=2.0";

}  // namespace kizuna::taxii
