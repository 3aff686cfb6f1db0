// Kizuna. The node's HTTP server: HTTP/1.1 over TLS (or plain HTTP on loopback in
// development), on Boost.Beast and Asio, answering through a Router of mounted handlers.
#pragma once

// The transport knows nothing of what it serves: each request goes to the handler its path
// is mounted on (router.h), which says how large a body it accepts and whether the request
// writes (handler.h). One coroutine per connection, keep-alive, a deadline on every read and
// write, and named limits: header bytes, body bytes (the handler's limit, known before the
// body is read, so an oversized POST is refused with 413 without reading it), connections in
// all, per client and in reserve (connection_limits.h), writes waiting. Only the chunked
// transfer coding is undone (others are 501) and no content coding (415, router.h).
// Threads: one event loop per thread reads requests, serves the reading ones (GET, HEAD:
// pages, objects, /healthz) and writes answers. Requests that write (POST and DELETE, as
// the handler says) go to their own small pool (`write_threads`, at a lower scheduling
// priority than the loops), so a slow write, or a queue of them behind the store's one
// writer, never holds up a loop, and a busy CPU serves reads first: reads and /healthz are
// answered whatever writes cost. At most `max_pending_writes` writes wait or run; more are
// answered 503 with Retry-After.
// TLS (tls_context.h): TLS 1.2 and 1.3 with forward-secret AEAD suites only, server order.
// Stop() is graceful: no new connections, requests in flight finish and are answered, idle
// keep-alive connections are closed.
//
//   KZ_ASSIGN_OR_RETURN(auto server, Server::Start(router, options));
//   ... server->port() ...
//   server->Stop();
//
// Thread-safety: Start/Stop from one controlling thread; the server runs its own pool.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "kizuna/base/clock.h"
#include "kizuna/http/router.h"

namespace kizuna::http {

struct ServerOptions {
  // Where to listen. Port 0 picks a free port (see Server::port()).
  std::string address = "127.0.0.1";
  uint16_t port = 8443;
  // TLS is on unless `tls` is false, which Start() accepts only for a loopback address.
  bool tls = true;
  std::string tls_cert_file;  // PEM certificate chain
  std::string tls_key_file;   // PEM private key
  // PEM CAs whose client certificates are asked for and verified in the handshake (mutual
  // TLS); empty: none asked. A client that sends none still connects (it authenticates with
  // a token); one whose certificate does not verify fails the handshake. The SHA-256 of a
  // verified certificate reaches handlers as Request::client_certificate.
  std::string tls_client_ca_file;
  // Threads running connections; 0 means one per core.
  size_t threads = 0;
  // Largest request header block. Default 16 KiB: TAXII requests carry a short URL and a
  // token, a browser's a few cookies; more than this is an attack or a bug.
  uint32_t max_header_bytes = 16 * 1024;
  // Time allowed to receive one whole request, from its first byte to the end of its header
  // and of its body (and for the TLS handshake, and to write a response). Default 30 s: ample
  // for a 10 MiB envelope on a slow link, short enough that slow-drip clients (slowloris)
  // cannot hold connections for long: a header dripped byte by byte is cut at this time.
  std::chrono::milliseconds request_timeout{30000};
  // Time an idle keep-alive connection (or a new one) may wait for the first byte of its next
  // request; from that byte on, request_timeout applies. Default 60 s.
  std::chrono::milliseconds idle_timeout{60000};
  // Open connections at most; more are refused (closed at once). Default 1024.
  size_t max_connections = 1024;
  // Open connections at most from one client (an IPv4 address, or an IPv6 /64). Default 128:
  // far more than a TAXII client or a partner node uses, an eighth of the total. Raise it
  // when clients reach the node through one proxy (they all share its address).
  size_t max_connections_per_client = 128;
  // The last connections, kept for clients that have none open yet (a health check, another
  // partner): once fewer than this many are free, a client with a connection open gets no
  // other. Default 32. Must be less than max_connections.
  size_t reserved_connections = 32;
  // Threads that run requests that write (Handler::Writes: POST, DELETE). Default 2: the store takes one
  // write at a time, and a second thread overlaps one request's parsing, validation and
  // authorisation with another's write (single-object POSTs/s 1.4x one thread's in
  // bench/mixed_load_bench.py; four threads gave no more).
  size_t write_threads = 2;
  // Writes waiting for or running on those threads at most; more are answered 503 with
  // Retry-After: 1 at once instead of queueing without end. Default 64.
  size_t max_pending_writes = 64;
  // How long Stop() waits for requests in flight. Default 10 s.
  std::chrono::milliseconds shutdown_grace{10000};
  // Receives one JSON line per request (time, remote, user, method, target, endpoint,
  // status, bytes, duration; line_sink.h writes them). Called from server threads; may be
  // empty.
  std::function<void(std::string_view line)> access_log;
  // Stamps the access log's lines; must outlive the server. Null: SystemClock().
  Clock* clock = nullptr;
};

class Server {
 public:
  // Binds and starts serving the handlers mounted on `router` (which, and they, must outlive
  // the server; nothing is mounted after this). Returns
  // InvalidArgument for plain HTTP on a non-loopback address, a missing certificate or
  // inconsistent limits, Unavailable when the address cannot be bound, naming it.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const Router& router, ServerOptions options);

  ~Server();  // stops, if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The port actually bound.
  uint16_t port() const;
  // Stops gracefully (idempotent) and returns when every thread has finished.
  void Stop();

  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kizuna::http
