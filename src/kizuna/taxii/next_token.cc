// Kizuna.
#include "kizuna/taxii/next_token.h"

#include <sodium.h>

#include <cstring>

#include "kizuna/base/digest.h"

namespace kizuna::taxii {
namespace {

constexpr uint8_t kFormat = 1;
constexpr size_t kTagBytes = 16;
constexpr size_t kTokenBytes = 1 + 8 + kTagBytes;

void Tag(const NextTokens::Key& key, const uint8_t* head, std::string_view binding, uint8_t* out) {
  crypto_auth_hmacsha512256_state state;
  crypto_auth_hmacsha512256_init(&state, key.data(), key.size());
  crypto_auth_hmacsha512256_update(&state, head, 9);
  crypto_auth_hmacsha512256_update(&state, reinterpret_cast<const uint8_t*>(binding.data()), binding.size());
  uint8_t full[crypto_auth_hmacsha512256_BYTES];
  crypto_auth_hmacsha512256_final(&state, full);
  std::memcpy(out, full, kTagBytes);
}

}  // namespace

std::string NextTokens::Make(std::string_view binding, int64_t after_us) const {
  uint8_t raw[kTokenBytes];
  raw[0] = kFormat;
  uint64_t v = static_cast<uint64_t>(after_us);
  for (int i = 0; i < 8; ++i) raw[1 + i] = static_cast<uint8_t>(v >> (56 - 8 * i));
  Tag(key_, raw, binding, raw + 9);
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
}

absl::StatusOr<int64_t> NextTokens::Open(std::string_view token, std::string_view binding) const {
  const absl::Status invalid = absl::InvalidArgumentError(
      "the next token is not valid for this request (it is malformed, or the other parameters changed)");
  if (token.size() > 64) return invalid;
  std::optional<std::string> raw = Base64UrlDecode(token);
  if (!raw || raw->size() != kTokenBytes || static_cast<uint8_t>((*raw)[0]) != kFormat) return invalid;
  const uint8_t* bytes = reinterpret_cast<const uint8_t*>(raw->data());
  uint8_t expected[kTagBytes];
  Tag(key_, bytes, binding, expected);
  if (sodium_memcmp(expected, bytes + 9, kTagBytes) != 0) return invalid;
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | bytes[1 + i];
  return static_cast<int64_t>(v);
}

}  // namespace kizuna::taxii
