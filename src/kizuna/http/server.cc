// Kizuna. The HTTP server on Boost.Beast: listener, TLS, sessions, write threads.
#include "kizuna/http/server.h"

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <thread>
#include <type_traits>
#include <unistd.h>

#include "absl/time/time.h"
#include "kizuna/base/clock.h"
#include "kizuna/base/json_string.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/http/beast_request.h"
#include "kizuna/http/client_key.h"
#include "kizuna/http/connection_limits.h"
#include "kizuna/http/tls_context.h"

namespace kizuna::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr size_t kBodyReadBytes = 256 * 1024;
// The first read of a request: a TAXII request header (a URL and a token) fits.
constexpr size_t kFirstReadBytes = 4096;
// The nice value of the write threads (the event loops keep the process's, usually 0). At
// 10 the scheduler gives a busy write thread about a tenth of a core that a loop also wants.
constexpr int kWriteNice = 10;
// Over TLS, bodies up to this size are copied behind the header and sent in one write.
constexpr size_t kCopiedBodyBytes = 64 * 1024;

// The status line and header of `r` for HTTP version `version` (10 or 11). Written by hand:
// the reply then leaves as two buffers, header and body, without Beast's serializer, which
// cost a tenth of a cached GET.
std::string HeaderOf(const Response& r, unsigned version, bool keep_alive) {
  auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(r.status));
  std::string head = StrCat("HTTP/", version / 10, ".", version % 10, " ", r.status, " ",
                            std::string_view(reason.data(), reason.size()),
                            "\r\nServer: Kizuna\r\nCache-Control: no-store\r\n");
  if (!r.content_type.empty()) StrAppend(head, "Content-Type: ", r.content_type, "\r\n");
  for (const auto& [name, value] : r.headers) StrAppend(head, name, ": ", value, "\r\n");
  StrAppend(head, "Content-Length: ", r.head_content_length.value_or(r.body.size()), "\r\n");
  if (!keep_alive && version >= 11) head += "Connection: close\r\n";
  if (keep_alive && version < 11) head += "Connection: keep-alive\r\n";
  head += "\r\n";
  return head;
}

// Whether the Transfer-Encoding `codings` names no coding but chunked, the one the parser
// undoes (a body in "gzip, chunked" would otherwise be taken for plain JSON).
bool OnlyChunked(beast::string_view codings) {
  for (const auto& coding : bhttp::token_list(codings)) {
    if (!beast::iequals(coding, "chunked")) return false;
  }
  return true;
}

// "203.0.113.7:443", "[2001:db8::1]:443": a client's address and port as logged.
std::string RemoteOf(const tcp::endpoint& endpoint) {
  const auto& a = endpoint.address();
  return a.is_v6() ? StrCat("[", a.to_string(), "]:", endpoint.port()) : StrCat(a.to_string(), ":", endpoint.port());
}

}  // namespace

// One open connection, so Stop() can close the idle ones. `close` must run on the
// connection's strand, like the coroutine that uses the socket.
struct Connection {
  std::atomic<bool> idle{true};
  asio::any_io_executor strand;
  std::function<void()> close;
};

struct Server::Impl {
  Impl(const Router& r, ServerOptions o)
      : router(r),
        options(std::move(o)),
        contexts(MakeContexts(options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency()))),
        acceptor(*contexts[0]),
        limits({options.max_connections, options.max_connections_per_client, options.reserved_connections}) {}

  // One event loop per thread. Connections are dealt out among them in turn and each stays
  // on its loop, so its reads, request and reply run without handing work between threads
  // (a shared loop woke the other thread for nearly every step).
  static std::vector<std::unique_ptr<asio::io_context>> MakeContexts(size_t n) {
    std::vector<std::unique_ptr<asio::io_context>> out;
    for (size_t i = 0; i < n; ++i) out.push_back(std::make_unique<asio::io_context>(1));
    return out;
  }

  // One request as read from a connection.
  struct Incoming {
    Request request;
    Handler* handler = nullptr;  // the handler of the request's path
    std::string method_name;
    unsigned version = 11;
    bool keep_alive = false;
    std::chrono::steady_clock::time_point started;
  };

  asio::awaitable<void> Accept();
  asio::awaitable<void> Run(tcp::socket socket);
  template <class Stream>
  asio::awaitable<void> Serve(Stream& stream, Connection& connection, const std::string& remote,
                              const std::string& client_certificate = {});
  template <class Stream>
  asio::awaitable<bool> WaitForRequest(Stream& stream, beast::flat_buffer& buffer, Connection& connection);
  template <class Stream>
  asio::awaitable<std::optional<Incoming>> Read(Stream& stream, beast::flat_buffer& buffer, const std::string& remote);
  asio::awaitable<std::shared_ptr<const Response>> Answer(Handler& handler, const Request& request,
                                                          RequestInfo& info);
  template <class Stream>
  asio::awaitable<void> Reply(Stream& stream, const Response& response, unsigned version, bool keep_alive);
  template <class Stream>
  asio::awaitable<void> Refuse(Stream& stream, const std::string& remote, std::string_view method,
                               std::string_view target, Response response, bool linger);
  template <class Stream>
  asio::awaitable<void> Linger(Stream& stream);
  void Log(const std::string& remote, std::string_view method, std::string_view target, int status,
           size_t bytes, double seconds, const RequestInfo& info);

  const Router& router;
  const ServerOptions options;
  Clock& clock = options.clock != nullptr ? *options.clock : SystemClock();
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::unique_ptr<ssl::context> tls;
  tcp::acceptor acceptor;
  uint16_t port = 0;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::mutex mu;  // guards connections, limits, next_connection and stopped
  std::condition_variable all_closed;
  std::map<uint64_t, Connection*> connections;
  ConnectionLimits limits;
  uint64_t next_connection = 0;
  size_t accepted = 0;  // by Accept(), which alone uses it
  bool stopped = false;
  // Requests that write run on this loop's threads, at a lower scheduling priority
  // (kWriteNice) than the event loops, so that under a full CPU reads and /healthz come first.
  asio::io_context writes;
  std::vector<std::thread> write_threads;
  std::atomic<size_t> pending_writes{0};
};

void Server::Impl::Log(const std::string& remote, std::string_view method, std::string_view target, int status,
                       size_t bytes, double seconds, const RequestInfo& info) {
  if (!options.access_log) return;
  // RFC 3339 in UTC with microseconds, e.g. 2026-11-27T10:00:00.123456Z.
  std::string line = StrCat("{\"time\":\"",
                            absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::FromUnixMicros(clock.NowMicros()),
                                             absl::UTCTimeZone()),
                            "\",\"remote\":");
  AppendJsonString(remote, line);
  line += ",\"user\":";
  AppendJsonString(info.user, line);
  line += ",\"method\":";
  AppendJsonString(method, line);
  line += ",\"target\":";
  AppendJsonString(target.substr(0, 2048), line);
  line += ",\"endpoint\":";
  AppendJsonString(info.endpoint, line);
  StrAppend(line, ",\"status\":", status, ",\"bytes\":", bytes, ",\"ms\":", fmt::format("{:.3f}", seconds * 1000), "}");
  options.access_log(line);
}

template <class Stream>
asio::awaitable<void> Server::Impl::Reply(Stream& stream, const Response& response, unsigned version,
                                          bool keep_alive) {
  std::string header = HeaderOf(response, version, keep_alive);
  beast::get_lowest_layer(stream).expires_after(options.request_timeout);
  if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
    std::array<asio::const_buffer, 2> message{asio::buffer(header), asio::buffer(response.body)};
    co_await asio::async_write(stream, message, kNoThrow);
  } else if (response.body.size() <= kCopiedBodyBytes) {
    // A gathered write through Beast's TLS stream delivered the header alone (tests/integration
    // federation_test caught it); TLS gets one buffer.
    header += response.body;
    co_await asio::async_write(stream, asio::buffer(header), kNoThrow);
  } else {
    // A large body goes in a write of its own rather than copied after the header.
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(header), kNoThrow);
    if (!ec) co_await asio::async_write(stream, asio::buffer(response.body), kNoThrow);
  }
}

// Answers `response` to a request that will not be served, logs it and ends the connection;
// `linger` when its body may still be arriving (see Linger).
template <class Stream>
asio::awaitable<void> Server::Impl::Refuse(Stream& stream, const std::string& remote, std::string_view method,
                                           std::string_view target, Response response, bool linger) {
  Log(remote, method, target, response.status, response.body.size(), 0, {});
  co_await Reply(stream, response, 11, false);
  if (linger) co_await Linger(stream);
}

// After refusing a request whose body is still arriving, reads and drops what the client
// goes on sending for a short while before the connection closes, so that a client busy
// writing its body still reads the answer instead of a connection reset (nginx's
// lingering close).
template <class Stream>
asio::awaitable<void> Server::Impl::Linger(Stream& stream) {
  constexpr size_t kMaxDiscard = 64 * 1024 * 1024;
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
  std::array<char, 16384> sink;
  size_t discarded = 0;
  while (discarded < kMaxDiscard) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kNoThrow);
    if (ec) break;
    discarded += n;
  }
}

// Waits up to idle_timeout for the first byte of the next request, unless the buffer holds
// one already (pipelining). Returns false when the connection is to close instead.
template <class Stream>
asio::awaitable<bool> Server::Impl::WaitForRequest(Stream& stream, beast::flat_buffer& buffer,
                                                   Connection& connection) {
  if (buffer.size() > 0) co_return true;
  connection.idle = true;
  beast::get_lowest_layer(stream).expires_after(options.idle_timeout);
  auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kFirstReadBytes), kNoThrow);
  connection.idle = false;
  buffer.commit(n);
  co_return !ec && n > 0;
}

// Reads one request, header and body, within request_timeout of its first byte. Answers and
// returns nothing when the request is refused (malformed, too large, unsupported transfer
// coding) or the connection ends.
template <class Stream>
asio::awaitable<std::optional<Server::Impl::Incoming>> Server::Impl::Read(Stream& stream, beast::flat_buffer& buffer,
                                                                        const std::string& remote) {
  Incoming in;
  in.started = std::chrono::steady_clock::now();
  beast::get_lowest_layer(stream).expires_at(in.started + options.request_timeout);
  bhttp::request_parser<bhttp::empty_body> head;
  head.header_limit(options.max_header_bytes);
  head.body_limit(boost::none);
  auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, head, kNoThrow);
  if (ec == bhttp::error::header_limit) {
    co_await Refuse(stream, remote, "", "", router.Fallback().Error(400, "the request header is too large"), false);
    co_return std::nullopt;
  }
  if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
      ec == asio::error::eof || ec == asio::error::connection_reset) {
    co_return std::nullopt;
  }
  if (ec) {
    co_await Refuse(stream, remote, "", "", router.Fallback().Error(400, StrCat("malformed HTTP request: ", ec.message())),
                    false);
    co_return std::nullopt;
  }
  const auto& header = head.get();
  in.request = RequestFromHeader(header);
  in.request.remote = remote;
  in.version = header.version();
  in.keep_alive = header.keep_alive();
  in.method_name = std::string(header.method_string());
  in.handler = &router.Find(in.request.Path());
  if (head.is_done()) co_return in;
  Handler& handler = *in.handler;
  const std::string& target = in.request.target;
  if (head.chunked() && !OnlyChunked(header[bhttp::field::transfer_encoding])) {
    co_await Refuse(stream, remote, in.method_name, target,
                    handler.Error(501, "only the chunked transfer coding is supported"), true);
    co_return std::nullopt;
  }
  // The body may be as large as its handler allows, and not larger: refuse before reading.
  const BodyLimit limit = handler.MaxBody(in.request);
  auto too_large = [&] {
    return handler.Error(413, StrCat("the request body is larger than ", limit.name, " (", limit.bytes, " octets)"));
  };
  if (head.content_length() && *head.content_length() > limit.bytes) {
    co_await Refuse(stream, remote, in.method_name, target, too_large(), true);
    co_return std::nullopt;
  }
  if (beast::iequals(header[bhttp::field::expect], "100-continue")) {
    bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, in.version};
    auto [wec, wn] = co_await bhttp::async_write(stream, cont, kNoThrow);
    if (wec) co_return std::nullopt;
  }
  bhttp::request_parser<bhttp::string_body> full{std::move(head)};
  full.body_limit(limit.bytes);
  // Room for large reads: the parser empties the buffer into the body after each read, so
  // without it a body arrives in reads the size of the header buffer (about 512 octets).
  if (full.content_length()) buffer.reserve(std::min<size_t>(*full.content_length(), kBodyReadBytes));
  std::tie(ec, n) = co_await bhttp::async_read(stream, buffer, full, kNoThrow);
  buffer.shrink_to_fit();  // an idle connection keeps no large buffer
  if (ec == bhttp::error::body_limit) {
    co_await Refuse(stream, remote, in.method_name, target, too_large(), true);
    co_return std::nullopt;
  }
  if (ec == beast::error::timeout || ec == bhttp::error::partial_message || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
    co_return std::nullopt;  // timeout or disconnect in the middle of the body: nobody to answer
  }
  if (ec) {
    std::string what = StrCat(full.chunked() ? "the chunked request body is malformed: " : "the request body is malformed: ",
                              ec.message());
    co_await Refuse(stream, remote, in.method_name, target, handler.Error(400, what), false);
    co_return std::nullopt;
  }
  in.request.body = std::move(full.release().body());
  co_return in;
}

// The handler's answer to `request`. Reads run here, on the connection's loop; writes on the
// write threads, or 503 when too many wait already.
asio::awaitable<std::shared_ptr<const Response>> Server::Impl::Answer(Handler& handler, const Request& request,
                                                                      RequestInfo& info) {
  if (!handler.Writes(request)) co_return Dispatch(handler, request, info);
  if (pending_writes.fetch_add(1) >= options.max_pending_writes) {
    --pending_writes;
    Response busy = handler.Error(503, "too many writes are waiting: retry in a second");
    busy.headers.emplace_back("Retry-After", "1");
    co_return std::make_shared<const Response>(std::move(busy));
  }
  auto response = co_await asio::co_spawn(
      writes.get_executor(),
      [&handler, &request, &info]() -> asio::awaitable<std::shared_ptr<const Response>> {
        co_return Dispatch(handler, request, info);
      },
      asio::use_awaitable);
  --pending_writes;
  co_return response;
}

template <class Stream>
asio::awaitable<void> Server::Impl::Serve(Stream& stream, Connection& connection, const std::string& remote,
                                          const std::string& client_certificate) {
  beast::flat_buffer buffer;
  while (!stopping) {
    if (!co_await WaitForRequest(stream, buffer, connection)) co_return;
    std::optional<Incoming> in = co_await Read(stream, buffer, remote);
    if (!in) co_return;
    in->request.client_certificate = client_certificate;
    RequestInfo info;
    std::shared_ptr<const Response> response = co_await Answer(*in->handler, in->request, info);
    bool keep_alive = in->keep_alive && !stopping;
    co_await Reply(stream, *response, in->version, keep_alive);
    Log(remote, in->method_name, in->request.target, response->status, response->body.size(),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - in->started).count(), info);
    if (!keep_alive) break;
  }
}

asio::awaitable<void> Server::Impl::Run(tcp::socket socket) {
  beast::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  const std::string remote = ec ? "unknown" : RemoteOf(endpoint);
  const std::string client = ClientKey(remote);
  socket.set_option(tcp::no_delay(true), ec);
  Connection connection;
  connection.strand = socket.get_executor();
  uint64_t id;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (stopping || !limits.Admit(client)) co_return;  // refused: the socket closes
    id = next_connection++;
    connections[id] = &connection;
  }
  beast::tcp_stream tcp_stream(std::move(socket));
  if (tls) {
    beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), *tls);
    connection.close = [&stream] { beast::get_lowest_layer(stream).socket().close(); };
    beast::get_lowest_layer(stream).expires_after(options.request_timeout);
    auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, kNoThrow);
    if (!hec) {
      co_await Serve(stream, connection, remote, VerifiedPeerCertificateSha256(stream.native_handle()));
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
      co_await stream.async_shutdown(kNoThrow);
    }
  } else {
    connection.close = [&tcp_stream] { tcp_stream.socket().close(); };
    co_await Serve(tcp_stream, connection, remote);
    tcp_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }
  std::lock_guard<std::mutex> lock(mu);
  connections.erase(id);
  limits.Release(client);
  if (connections.empty()) all_closed.notify_all();
}

asio::awaitable<void> Server::Impl::Accept() {
  for (;;) {
    asio::io_context& next = *contexts[accepted++ % contexts.size()];
    auto [ec, socket] = co_await acceptor.async_accept(next.get_executor(), kNoThrow);
    if (ec) {
      if (stopping || ec == asio::error::operation_aborted) co_return;
      continue;  // e.g. too many open files: keep serving the connections we have
    }
    auto executor = socket.get_executor();
    asio::co_spawn(executor, Run(std::move(socket)), [](std::exception_ptr) {});
  }
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

uint16_t Server::port() const { return impl_->port; }

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const Router& router, ServerOptions options) {
  auto impl = std::make_unique<Impl>(router, std::move(options));
  const ServerOptions& o = impl->options;
  beast::error_code ec;
  asio::ip::address address = asio::ip::make_address(o.address, ec);
  if (ec) return absl::InvalidArgumentError(StrCat("'", o.address, "' is not an IP address"));
  if (!o.tls && !address.is_loopback()) {
    return absl::InvalidArgumentError(
        StrCat("plain HTTP (--dev) is only allowed on a loopback address, not ", o.address));
  }
  if (o.reserved_connections >= o.max_connections || o.max_connections_per_client == 0 || o.write_threads == 0 ||
      o.max_pending_writes == 0) {
    return absl::InvalidArgumentError(
        "limits: need reserved_connections < max_connections, and at least 1 for max_connections_per_client, "
        "write_threads and max_pending_writes");
  }
  if (o.tls) {
    if (o.tls_cert_file.empty() || o.tls_key_file.empty()) {
      return absl::InvalidArgumentError("TLS needs a certificate and a key (--tls-cert, --tls-key), or --dev");
    }
    KZ_ASSIGN_OR_RETURN(impl->tls, MakeServerTlsContext(o.tls_cert_file, o.tls_key_file, o.tls_client_ca_file));
  }
  tcp::endpoint endpoint(address, o.port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return absl::UnavailableError(StrCat("cannot listen on ", o.address, ":", o.port, ": ", ec.message()));
  impl->port = impl->acceptor.local_endpoint().port();
  asio::co_spawn(*impl->contexts[0], impl->Accept(), [](std::exception_ptr) {});
  for (auto& context : impl->contexts) {
    impl->threads.emplace_back([io = context.get()] {
      auto busy = asio::make_work_guard(*io);  // runs until Stop(), with or without connections
      io->run();
    });
  }
  for (size_t i = 0; i < o.write_threads; ++i) {
    impl->write_threads.emplace_back([io = &impl->writes] {
      // Linux keeps a nice value per thread; if it cannot be raised the thread runs at the
      // loops' priority, which is only slower for reads under load.
      (void)setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), kWriteNice);
      auto busy = asio::make_work_guard(*io);
      io->run();
    });
  }
  return std::make_unique<Server>(std::move(impl));
}

void Server::Stop() {
  Impl& impl = *impl_;
  {
    std::lock_guard<std::mutex> lock(impl.mu);
    if (impl.stopped) return;
    impl.stopped = true;
  }
  impl.stopping = true;
  asio::post(impl.acceptor.get_executor(), [&impl] {
    beast::error_code ec;
    impl.acceptor.close(ec);
  });
  {
    // Idle keep-alive connections are closed now; busy ones finish their request first and
    // then close, since `stopping` turns keep-alive off.
    std::unique_lock<std::mutex> lock(impl.mu);
    auto deadline = std::chrono::steady_clock::now() + impl.options.shutdown_grace;
    while (!impl.connections.empty() && std::chrono::steady_clock::now() < deadline) {
      for (auto& [id, c] : impl.connections) {
        if (!c->idle) continue;
        asio::post(c->strand, [&impl, id = id] {
          std::lock_guard<std::mutex> inner(impl.mu);
          auto it = impl.connections.find(id);
          if (it != impl.connections.end() && it->second->close) it->second->close();
        });
      }
      impl.all_closed.wait_for(lock, std::chrono::milliseconds(50));
    }
  }
  for (auto& context : impl.contexts) context->stop();
  for (std::thread& t : impl.threads) t.join();
  // The close posted above does not run when the loops stopped first (no connection to wait
  // for): the port would still take connections that no one answers. No loop runs now.
  beast::error_code closed;
  impl.acceptor.close(closed);
  // Writes not yet started are dropped (never acknowledged); one running finishes.
  impl.writes.stop();
  for (std::thread& t : impl.write_threads) t.join();
}

}  // namespace kizuna::http
