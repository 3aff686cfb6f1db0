// Kizuna.
#include "kizuna/http/tls_context.h"

#include <openssl/ssl.h>

#include <openssl/x509.h>

#include "kizuna/base/digest.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::http {
namespace {

// Asks clients for a certificate issued by the CAs of `ca_file` (listed to them in the
// handshake), verified when sent, optional otherwise.
absl::Status AskForClientCertificates(boost::asio::ssl::context& tls, const std::string& ca_file) {
  boost::system::error_code ec;
  tls.load_verify_file(ca_file, ec);
  if (ec) return absl::InvalidArgumentError(StrCat("TLS client CA file ", ca_file, ": ", ec.message()));
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca_file.c_str());
  if (names == nullptr) {
    return absl::InvalidArgumentError(StrCat("TLS client CA file ", ca_file, ": no certificate in it"));
  }
  SSL_CTX* ctx = tls.native_handle();
  SSL_CTX_set_client_CA_list(ctx, names);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_verify_depth(ctx, 4);
  // Resumed sessions keep the certificate verified in the full handshake; the context id is
  // what OpenSSL requires to resume them when it asks for certificates.
  static constexpr unsigned char kSessionContext[] = "kizuna";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<boost::asio::ssl::context>> MakeServerTlsContext(const std::string& cert_file,
                                                                                const std::string& key_file,
                                                                                const std::string& client_ca_file) {
  namespace ssl = boost::asio::ssl;
  auto tls = std::make_unique<ssl::context>(ssl::context::tls_server);
  tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use |
                   ssl::context::no_compression);
  SSL_CTX* ctx = tls->native_handle();
  SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 || SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1 ||
      SSL_CTX_set_ciphersuites(ctx, kTls13Ciphers) != 1 || SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") != 1) {
    return absl::InternalError("OpenSSL refused the TLS cipher settings");
  }
  boost::system::error_code ec;
  tls->use_certificate_chain_file(cert_file, ec);
  if (ec) return absl::InvalidArgumentError(StrCat("TLS certificate ", cert_file, ": ", ec.message()));
  tls->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) return absl::InvalidArgumentError(StrCat("TLS key ", key_file, ": ", ec.message()));
  if (!client_ca_file.empty()) KZ_RETURN_IF_ERROR(AskForClientCertificates(*tls, client_ca_file));
  return tls;
}

std::string CertificateSha256(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (cert == nullptr || X509_digest(cert, EVP_sha256(), md, &n) != 1) return {};
  return HexEncode(std::string_view(reinterpret_cast<const char*>(md), n));
}

std::string VerifiedPeerCertificateSha256(SSL* ssl) {
  if (ssl == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return {};
  std::unique_ptr<X509, decltype(&X509_free)> cert(SSL_get1_peer_certificate(ssl), X509_free);
  return CertificateSha256(cert.get());
}

}  // namespace kizuna::http
