// Kizuna.
#include "kizuna/taxii/next_token.h"

#include <sodium.h>

#include <cstring>

#include "kizuna/base/assert.h"
#include "kizuna/base/digest.h"
#include "kizuna/base/random.h"

namespace kizuna::taxii {
namespace {

constexpr uint8_t kFormat = 2;
constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kPositionBytes = 8;
constexpr size_t kSealedBytes = kPositionBytes + crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr size_t kTokenBytes = 1 + kNonceBytes + kSealedBytes;
static_assert(NextTokens::kKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

const uint8_t* Bytes(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

}  // namespace

NextTokens::NextTokens(const Key& key) : key_(key) {
  // sodium_init only fails when the OS has no usable randomness; then nothing is safe.
  static const bool ready = sodium_init() >= 0;
  KZ_CHECK(ready);
}

std::string NextTokens::Make(std::string_view binding, int64_t after_us) const {
  uint8_t raw[kTokenBytes];
  raw[0] = kFormat;
  SecureRandom().Fill({raw + 1, kNonceBytes});
  uint8_t position[kPositionBytes];
  uint64_t v = static_cast<uint64_t>(after_us);
  for (size_t i = 0; i < kPositionBytes; ++i) position[i] = static_cast<uint8_t>(v >> (56 - 8 * i));
  crypto_aead_xchacha20poly1305_ietf_encrypt(raw + 1 + kNonceBytes, nullptr, position, sizeof position,
                                             Bytes(binding), binding.size(), nullptr, raw + 1, key_.data());
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
}

absl::StatusOr<int64_t> NextTokens::Open(std::string_view token, std::string_view binding) const {
  const absl::Status invalid = absl::InvalidArgumentError(
      "the next token is not valid for this request (it is malformed, or the other parameters changed)");
  if (token.size() > 2 * kTokenBytes) return invalid;
  std::optional<std::string> raw = Base64UrlDecode(token);
  if (!raw || raw->size() != kTokenBytes || static_cast<uint8_t>((*raw)[0]) != kFormat) return invalid;
  const uint8_t* bytes = Bytes(*raw);
  uint8_t position[kPositionBytes];
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(position, nullptr, nullptr, bytes + 1 + kNonceBytes, kSealedBytes,
                                                 Bytes(binding), binding.size(), bytes + 1, key_.data()) != 0) {
    return invalid;
  }
  uint64_t v = 0;
  for (uint8_t b : position) v = v << 8 | b;
  return static_cast<int64_t>(v);
}

}  // namespace kizuna::taxii
