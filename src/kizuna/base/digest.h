// Kizuna. Cryptographic digests (OpenSSL EVP) and hex/base64 encodings.
#pragma once

// Thread-safety: stateless.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kizuna {

using Sha1Digest = std::array<uint8_t, 20>;
using Sha256Digest = std::array<uint8_t, 32>;

// Returns the SHA-1 of the concatenation of `a` and `b` (b may be empty).
Sha1Digest Sha1(std::string_view a, std::string_view b = {});
// Returns the SHA-256 of `data`.
Sha256Digest Sha256(std::string_view data);

// Lowercase hex of `bytes`.
std::string HexEncode(std::string_view bytes);
// Returns the bytes of lowercase or uppercase hex `text`, or nullopt on an odd length or a
// non-hex character.
std::optional<std::string> HexDecode(std::string_view text);

// Standard base64 with padding (RFC 4648 §4).
std::string Base64Encode(std::string_view bytes);
// Returns the bytes of padded standard base64 `text`, or nullopt if it is not valid base64.
std::optional<std::string> Base64Decode(std::string_view text);
// URL-safe base64 without padding (RFC 4648 §5), for opaque tokens.
std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace kizuna
