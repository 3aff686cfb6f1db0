// Kizuna. A TAXII 2.1 client for one peer: GET and POST over HTTPS (or loopback HTTP).
#pragma once

// The sync engine speaks to a peer through TaxiiClient: any TAXII 2.1 server, Kizuna or not.
// Each call opens a connection (Boost.Beast over Asio, TLS 1.2+ with the peer's CA file or the
// system's trust store, host name checked), sends one request with `Authorization: Bearer`,
// and reads the response up to `max_response_bytes`. Calls are synchronous and bounded by
// `timeout_ms`.
//
//   TaxiiClient client(peer);
//   KZ_ASSIGN_OR_RETURN(ClientResponse r, client.Get("/intel/collections/ID/objects/?limit=500"));
//
// Errors: InvalidArgument for a URL that is not https://host[:port], or http:// to a loopback
// host (store/peer_url.h), or for http:// to a name that resolves to another address;
// Unavailable when the peer cannot be reached, the TLS handshake fails, or the exchange times
// out (the caller retries). HTTP error statuses are returned as responses, not errors.
// Thread-safety: a client is used by one thread at a time.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/store/peers.h"

namespace kizuna::sync {

struct ClientOptions {
  // Longest a whole exchange (connect, handshake, request, response) may take. Default 30 s:
  // a page of a few thousand objects over a slow link.
  int64_t timeout_ms = 30'000;
  // Largest response body read. Default 64 MiB, above any sane TAXII page.
  uint64_t max_response_bytes = 64ull << 20;
};

struct ClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The value of header `name` (case-insensitive), or "".
  std::string_view Header(std::string_view name) const;
};

class TaxiiClient {
 public:
  // `peer` gives the URL, token and CA file; it is copied.
  explicit TaxiiClient(const store::Peer& peer, ClientOptions options = {});

  // `target` is the path and query, starting with '/'.
  absl::StatusOr<ClientResponse> Get(std::string_view target);
  absl::StatusOr<ClientResponse> Post(std::string_view target, std::string body);

 private:
  absl::StatusOr<ClientResponse> Exchange(bool post, std::string_view target, std::string body);

  store::Peer peer_;
  ClientOptions options_;
};

}  // namespace kizuna::sync
