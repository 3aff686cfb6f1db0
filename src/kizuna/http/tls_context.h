// Kizuna. The server's TLS settings: protocol versions, cipher suites, certificate and key.
#pragma once

// Mozilla's "intermediate" profile, restricted to forward-secret AEAD suites:
//   TLS 1.3: TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256;
//   TLS 1.2: ECDHE-ECDSA and ECDHE-RSA with AES-GCM or CHACHA20-POLY1305;
//   nothing older than TLS 1.2, no RSA key exchange, no CBC, no SHA-1 MACs, no finite-field
//   DHE; the server's order of preference decides; no renegotiation, no compression;
//   key-exchange groups X25519, P-256, P-384.
// Every partner's TAXII client from the last years speaks one of these (OpenSSL 1.0.1+,
// Java 8+, .NET on Windows 10+); older ones fail the handshake.
// Thread-safety: the returned context is used by every connection, read-only.

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace kizuna::http {

inline constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
inline constexpr char kTls13Ciphers[] =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

// Returns a server context with the settings above and the PEM certificate chain and key of
// these files; with `client_ca_file`, it also asks clients for a certificate issued by those
// CAs (optional for the client, verified when sent). Returns InvalidArgument naming the file
// that cannot be used.
absl::StatusOr<std::unique_ptr<boost::asio::ssl::context>> MakeServerTlsContext(const std::string& cert_file,
                                                                                const std::string& key_file,
                                                                                const std::string& client_ca_file = "");

// Returns the SHA-256 of the DER of `cert` as 64 lowercase hex digits (what `openssl x509
// -fingerprint -sha256` prints, without its colons); empty for nullptr.
std::string CertificateSha256(X509* cert);

// Returns the SHA-256 of the DER of the certificate the peer of `ssl` presented and the
// handshake verified, as 64 lowercase hex digits; empty when there is none.
std::string VerifiedPeerCertificateSha256(SSL* ssl);

}  // namespace kizuna::http
