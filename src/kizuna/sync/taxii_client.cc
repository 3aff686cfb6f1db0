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
#include <utility>

#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"

namespace kizuna::sync {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr std::string_view kTaxii = "application/taxii+json;version=2.1";

template <typename Stream>
absl::StatusOr<ClientResponse> Send(Stream& stream, beast::tcp_stream& tcp, http::request<http::string_body>& req,
                                    const ClientOptions& options) {
  beast::error_code ec;
  http::write(stream, req, ec);
  if (ec) return absl::UnavailableError(StrCat("sending to the peer: ", ec.message()));
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(options.max_response_bytes);
  http::read(stream, buffer, parser, ec);
  if (ec) return absl::UnavailableError(StrCat("reading the peer's answer: ", ec.message()));
  (void)tcp;
  ClientResponse out;
  const auto& res = parser.get();
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res) out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  out.body = res.body();
  return out;
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

absl::StatusOr<ClientResponse> TaxiiClient::Get(std::string_view target) { return Exchange(false, target, {}); }

absl::StatusOr<ClientResponse> TaxiiClient::Post(std::string_view target, std::string body) {
  return Exchange(true, target, std::move(body));
}

absl::StatusOr<ClientResponse> TaxiiClient::Exchange(bool post, std::string_view target, std::string body) {
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
  if (post) {
    req.set(http::field::content_type, kTaxii);
    req.body() = std::move(body);
  }
  req.prepare_payload();
  const auto timeout = std::chrono::milliseconds(options_.timeout_ms);
  auto annotate = [&](const absl::Status& s) {
    return absl::UnavailableError(StrCat(where, ": ", View(s.message())));
  };
  if (!endpoint_.tls) {
    beast::tcp_stream stream(io);
    stream.expires_after(timeout);
    stream.connect(addresses, ec);
    if (ec) return absl::UnavailableError(StrCat(where, ": ", ec.message()));
    absl::StatusOr<ClientResponse> r = Send(stream, stream, req, options_);
    if (!r.ok()) return annotate(r.status());
    return r;
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
  beast::get_lowest_layer(stream).connect(addresses, ec);
  if (ec) return absl::UnavailableError(StrCat(where, ": ", ec.message()));
  stream.handshake(ssl::stream_base::client, ec);
  if (ec) return absl::UnavailableError(StrCat(where, ": TLS: ", ec.message()));
  absl::StatusOr<ClientResponse> r = Send(stream, beast::get_lowest_layer(stream), req, options_);
  if (!r.ok()) return annotate(r.status());
  stream.shutdown(ec);  // the peer may close without a close_notify; nothing to do about it
  return r;
}

}  // namespace kizuna::sync
