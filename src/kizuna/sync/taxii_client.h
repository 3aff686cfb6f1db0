// Kizuna. A TAXII 2.1 client for one server: GET and POST over HTTPS (or loopback HTTP).
#pragma once

// The sync engine speaks to a peer through TaxiiClient: any TAXII 2.1 server, Kizuna or not,
// described by an Endpoint (the syncer maps a store::Peer to one: syncer.h, EndpointOf).
// Each call opens a connection (Boost.Beast over Asio, TLS 1.2+ with the endpoint's CA file or
// the system's trust store, host name checked; with the endpoint's client certificate and key
// when it has them: mutual TLS), sends one request with the endpoint's `Authorization`
// (Bearer, Basic or none), and reads the response up to `max_response_bytes`. Calls are
// synchronous and bounded by `timeout_ms`. The key file is read at each connection and must
// give no access to group or others (0600 or 0400), like an SSH key: a key others could read
// is refused, not used. The exchange runs on coroutines with one deadline for all of it, so a
// server that drips its answer byte by byte is cut off at `timeout_ms` too.
//
//   TaxiiClient client({.name = "peer usa", .url = "https://usa.example:8443",
//                       .host = "usa.example", .port = "8443", .token = token});
//   KZ_ASSIGN_OR_RETURN(ClientResponse r, client.Get("/intel/collections/ID/objects/?limit=500"));
//
// Errors: InvalidArgument for a plain-HTTP endpoint whose host resolves to an address that
// is not a loopback one; FailedPrecondition for a CA file, client certificate or key that
// cannot be read or used, or a key file others may read; Unavailable
// when the server cannot be reached or the TLS handshake fails, DeadlineExceeded when the
// exchange takes longer than `timeout_ms`, ResourceExhausted for a body over
// `max_response_bytes` (the caller retries). Each names the endpoint. HTTP error statuses are returned as responses,
// not errors; a 503 with a short Retry-After is first retried (ClientOptions::busy_attempts).
// Thread-safety: a client is used by one thread at a time.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/store/peers.h"

namespace kizuna::sync {

// Where a TAXII server is and how to authenticate to it.
struct Endpoint {
  std::string name;     // names the server in errors, e.g. "peer usa"
  std::string url;      // its base URL as configured, for errors
  bool tls = true;      // HTTPS; plain HTTP only when every address of `host` is a loopback one
  std::string host;     // a name, an IPv4 address, or an IPv6 address without its brackets
  std::string port;     // decimal
  store::PeerAuth auth = store::PeerAuth::kBearer;
  std::string token;        // kBearer: the token; kBasic: the password; kNone: unused
  std::string basic_user;   // kBasic: the user name
  std::string ca_file;      // PEM CAs to trust; empty: the system's trust store
  std::string client_cert;  // PEM certificate chain for mutual TLS; empty: none
  std::string client_key;   // its PEM private key (a file of mode 0600 or 0400)
};

// Returns the Authorization header's value for `endpoint`, or "" for PeerAuth::kNone.
std::string AuthorizationOf(const Endpoint& endpoint);

struct ClientOptions {
  // Longest a whole exchange (connect, handshake, request, response) may take. Default 30 s:
  // a page of a few thousand objects over a slow link.
  int64_t timeout_ms = 30'000;
  // Largest response body read. Default 64 MiB, above any sane TAXII page.
  uint64_t max_response_bytes = 64ull << 20;
  // A server that answers 503 with a short Retry-After (at most `max_busy_wait_s` seconds) is
  // busy for a moment: the request is sent again after that wait, `busy_attempts` times in all,
  // all within the one `timeout_ms`. Other 503s, and the last one, are returned as they are.
  int busy_attempts = 3;
  int max_busy_wait_s = 5;
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
  explicit TaxiiClient(Endpoint endpoint, ClientOptions options = {});

  // Request headers that replace the defaults of the same name (e.g. Accept) or add to them.
  using Headers = std::vector<std::pair<std::string, std::string>>;

  // `target` is the path and query, starting with '/'.
  absl::StatusOr<ClientResponse> Get(std::string_view target, const Headers& headers = {});
  absl::StatusOr<ClientResponse> Post(std::string_view target, std::string body);

 private:
  absl::StatusOr<ClientResponse> Send(bool post, std::string_view target, std::string body, const Headers& headers);
  absl::StatusOr<ClientResponse> Exchange(bool post, std::string_view target, std::string body,
                                          const Headers& headers, int64_t timeout_ms);

  const Endpoint endpoint_;
  const ClientOptions options_;
};

}  // namespace kizuna::sync
