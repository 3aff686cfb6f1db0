// Kizuna.
#include "kizuna/sync/taxii_client.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/evp.h>

#include <cctype>
#include <chrono>
#include <thread>
#include <utility>

#include "absl/strings/numbers.h"
#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::sync {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr std::string_view kTaxii = "application/taxii+json;version=2.1";
// Longest wait for the server's close_notify once the answer is read.
constexpr int64_t kShutdownMs = 1000;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// Why an exchange failed on `ec`, naming what was being done.
absl::Status Failure(std::string_view doing, const beast::error_code& ec, const ClientOptions& options) {
  if (ec == beast::error::timeout) {
    return absl::DeadlineExceededError(StrCat(doing, ": no complete answer within ", options.timeout_ms, " ms"));
  }
  if (ec == http::error::body_limit) {
    return absl::ResourceExhaustedError(
        StrCat(doing, ": the body is larger than the limit of ", options.max_response_bytes, " octets"));
  }
  return absl::UnavailableError(StrCat(doing, ": ", ec.message()));
}

// Writes `req` and reads the answer into `out`, within the deadline set on the stream.
template <typename Stream>
asio::awaitable<void> Send(Stream& stream, http::request<http::string_body>& req, const ClientOptions& options,
                           absl::StatusOr<ClientResponse>& out) {
  auto [wec, written] = co_await http::async_write(stream, req, kNoThrow);
  if (wec) {
    out = Failure("sending to the peer", wec, options);
    co_return;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(options.max_response_bytes);
  auto [rec, read] = co_await http::async_read(stream, buffer, parser, kNoThrow);
  if (rec) {
    out = Failure("reading the peer's answer", rec, options);
    co_return;
  }
  ClientResponse response;
  const auto& res = parser.get();
  response.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  response.body = std::move(parser.release().body());
  out = std::move(response);
}

// The exchange over plain TCP (loopback only).
asio::awaitable<void> ExchangePlain(beast::tcp_stream& stream, const tcp::resolver::results_type& addresses,
                                    http::request<http::string_body>& req, const ClientOptions& options,
                                    absl::StatusOr<ClientResponse>& out) {
  auto [ec, ep] = co_await stream.async_connect(addresses, kNoThrow);
  if (ec) {
    out = Failure("connecting", ec, options);
    co_return;
  }
  co_await Send(stream, req, options, out);
}

// The exchange over TLS.
asio::awaitable<void> ExchangeTls(beast::ssl_stream<beast::tcp_stream>& stream,
                                  const tcp::resolver::results_type& addresses, http::request<http::string_body>& req,
                                  const ClientOptions& options, absl::StatusOr<ClientResponse>& out) {
  auto [ec, ep] = co_await beast::get_lowest_layer(stream).async_connect(addresses, kNoThrow);
  if (ec) {
    out = Failure("connecting", ec, options);
    co_return;
  }
  auto [hec] = co_await stream.async_handshake(ssl::stream_base::client, kNoThrow);
  if (hec) {
    out = Failure("TLS", hec, options);
    co_return;
  }
  co_await Send(stream, req, options, out);
  if (!out.ok()) co_return;
  // The peer may close without a close_notify, or not answer one: nothing to do about it.
  beast::get_lowest_layer(stream).expires_after(std::chrono::milliseconds(kShutdownMs));
  co_await stream.async_shutdown(kNoThrow);
}

// Loads the endpoint's client certificate and key into `tls`, once the key file is found to
// be private to its owner.
absl::Status UseClientCertificate(const Endpoint& e, ssl::context& tls) {
  if (absl::Status s = CheckPrivateFile(e.client_key); !s.ok()) {
    return absl::FailedPreconditionError(StrCat(e.name, ": client key: ", View(s.message())));
  }
  beast::error_code ec;
  tls.use_certificate_chain_file(e.client_cert, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        StrCat(e.name, ": client certificate '", e.client_cert, "': ", ec.message()));
  }
  tls.use_private_key_file(e.client_key, ssl::context::pem, ec);
  if (ec) return absl::FailedPreconditionError(StrCat(e.name, ": client key '", e.client_key, "': ", ec.message()));
  if (SSL_CTX_check_private_key(tls.native_handle()) != 1) {
    return absl::FailedPreconditionError(StrCat(e.name, ": client key '", e.client_key,
                                                "' does not belong to the certificate '", e.client_cert, "'"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string AuthorizationOf(const Endpoint& endpoint) {
  switch (endpoint.auth) {
    case store::PeerAuth::kBearer: return StrCat("Bearer ", endpoint.token);
    case store::PeerAuth::kNone: return {};
    case store::PeerAuth::kBasic: break;
  }
  const std::string pair = StrCat(endpoint.basic_user, ":", endpoint.token);
  std::string out(4 * ((pair.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(pair.data()), static_cast<int>(pair.size()));
  out.resize(static_cast<size_t>(n));
  return StrCat("Basic ", out);
}

std::string_view ClientResponse::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < n.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(n[i])) == std::tolower(static_cast<unsigned char>(name[i]));
    }
    if (same) return v;
  }
  return {};
}

TaxiiClient::TaxiiClient(Endpoint endpoint, ClientOptions options)
    : endpoint_(std::move(endpoint)), options_(options) {}

absl::StatusOr<ClientResponse> TaxiiClient::Get(std::string_view target, const Headers& headers) {
  return Send(false, target, {}, headers);
}

absl::StatusOr<ClientResponse> TaxiiClient::Post(std::string_view target, std::string body) {
  return Send(true, target, std::move(body), {});
}

absl::StatusOr<ClientResponse> TaxiiClient::Send(bool post, std::string_view target, std::string body,
                                                 const Headers& headers) {
  // One deadline for every attempt and wait: a peer answering 503 slowly holds no longer.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.timeout_ms);
  for (int attempt = 1;; ++attempt) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    KZ_ASSIGN_OR_RETURN(ClientResponse r,
                        Exchange(post, target, post ? body : std::string(), headers, std::max<int64_t>(left.count(), 1)));
    int seconds = 0;
    const std::string_view after = r.Header("Retry-After");
    if (r.status != 503 || attempt >= options_.busy_attempts || !absl::SimpleAtoi(AbslView(after), &seconds) ||
        seconds < 0 || seconds > options_.max_busy_wait_s ||
        std::chrono::steady_clock::now() + std::chrono::seconds(seconds) >= deadline) {
      return r;
    }
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
  }
}

absl::StatusOr<ClientResponse> TaxiiClient::Exchange(bool post, std::string_view target, std::string body,
                                                     const Headers& headers, int64_t timeout_ms) {
  const std::string where = StrCat(endpoint_.name, " (", endpoint_.url, ")");
  asio::io_context io;
  beast::error_code ec;
  tcp::resolver resolver(io);
  auto addresses = resolver.resolve(endpoint_.host, endpoint_.port, ec);
  if (ec) return absl::UnavailableError(StrCat(endpoint_.name, ": resolving ", endpoint_.host, ": ", ec.message()));
  for (const auto& address : addresses) {
    if (!endpoint_.tls && !address.endpoint().address().is_loopback()) {
      return absl::InvalidArgumentError(StrCat(where, ": ", endpoint_.host, " resolves to ",
                                               address.endpoint().address().to_string(),
                                               ", not a loopback address: plain http:// is for loopback only"));
    }
  }
  http::request<http::string_body> req{post ? http::verb::post : http::verb::get, std::string(target), 11};
  req.set(http::field::host, StrCat(endpoint_.host, ":", endpoint_.port));
  req.set(http::field::accept, kTaxii);
  if (std::string authorization = AuthorizationOf(endpoint_); !authorization.empty()) {
    req.set(http::field::authorization, authorization);
  }
  req.set(http::field::user_agent, "kizuna-sync");
  for (const auto& [name, value] : headers) req.set(name, value);
  if (post) {
    req.set(http::field::content_type, kTaxii);
    req.body() = std::move(body);
  }
  req.prepare_payload();
  // One deadline for the whole exchange: a server that drips its answer cannot hold it longer.
  const auto timeout = std::chrono::milliseconds(timeout_ms);
  absl::StatusOr<ClientResponse> out = absl::UnavailableError("no exchange");
  auto annotate = [&](const absl::Status& s) { return absl::Status(s.code(), StrCat(where, ": ", View(s.message()))); };
  if (!endpoint_.tls) {
    beast::tcp_stream stream(io);
    stream.expires_after(timeout);
    asio::co_spawn(io, ExchangePlain(stream, addresses, req, options_, out), asio::detached);
    io.run();
    if (!out.ok()) return annotate(out.status());
    return out;
  }
  ssl::context tls(ssl::context::tls_client);
  tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  if (endpoint_.ca_file.empty()) {
    tls.set_default_verify_paths(ec);
  } else {
    tls.load_verify_file(endpoint_.ca_file, ec);
  }
  if (ec) {
    return absl::FailedPreconditionError(
        StrCat(endpoint_.name, ": CA file '", endpoint_.ca_file, "': ", ec.message()));
  }
  if (!endpoint_.client_cert.empty()) {
    if (absl::Status s = UseClientCertificate(endpoint_, tls); !s.ok()) return s;
  }
  tls.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(io, tls);
  stream.set_verify_callback(ssl::host_name_verification(endpoint_.host));
  if (!SSL_set_tlsext_host_name(stream.native_handle(), endpoint_.host.c_str())) {
    return absl::InternalError("cannot set the TLS server name");
  }
  beast::get_lowest_layer(stream).expires_after(timeout);
  asio::co_spawn(io, ExchangeTls(stream, addresses, req, options_, out), asio::detached);
  io.run();
  if (!out.ok()) return annotate(out.status());
  return out;
}

}  // namespace kizuna::sync
