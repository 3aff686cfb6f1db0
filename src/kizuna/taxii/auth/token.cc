// Kizuna.
#include "kizuna/taxii/auth/token.h"

#include <sodium.h>

#include <array>

#include "kizuna/base/assert.h"
#include "kizuna/base/digest.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::taxii {
namespace {

static_assert(crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE == HashParams{}.ops_limit);
static_assert(crypto_pwhash_argon2id_OPSLIMIT_MIN == kTestHashParams.ops_limit);
static_assert(crypto_pwhash_argon2id_MEMLIMIT_MIN == kTestHashParams.mem_limit);

void InitSodium() {
  // sodium_init only fails when the OS has no usable randomness; then nothing is safe.
  static const bool ready = sodium_init() >= 0;
  KZ_CHECK(ready);
}

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool IsBase64Url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

std::optional<TokenParts> ParseToken(std::string_view token) {
  if (token.size() != kTokenChars || !token.starts_with(kTokenPrefix)) return std::nullopt;
  std::string_view id = token.substr(kTokenPrefix.size(), kTokenIdChars);
  if (token[kTokenPrefix.size() + kTokenIdChars] != '_') return std::nullopt;
  std::string_view secret = token.substr(kTokenPrefix.size() + kTokenIdChars + 1);
  for (char c : id) {
    if (!IsLowerHex(c)) return std::nullopt;
  }
  for (char c : secret) {
    if (!IsBase64Url(c)) return std::nullopt;
  }
  return TokenParts{id, secret};
}

absl::StatusOr<std::string> HashSecret(std::string_view secret, const HashParams& params) {
  InitSodium();
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), secret.data(), secret.size(), params.ops_limit,
                            params.mem_limit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return absl::ResourceExhaustedError(
        StrCat("cannot hash a token secret with ", params.mem_limit, " bytes of memory"));
  }
  return std::string(out.data());
}

bool VerifySecret(std::string_view hash, std::string_view secret) {
  InitSodium();
  if (hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::string terminated(hash);  // crypto_pwhash_str_verify reads a C string
  return crypto_pwhash_str_verify(terminated.c_str(), secret.data(), secret.size()) == 0;
}

absl::StatusOr<IssuedToken> IssueToken(store::Directory& directory, std::string_view actor,
                                       const TokenRequest& request, Random& random,
                                       const HashParams& params) {
  std::array<uint8_t, kTokenIdBytes> id_bytes;
  std::array<uint8_t, kTokenSecretBytes> secret_bytes;
  random.Fill(id_bytes);
  random.Fill(secret_bytes);
  auto as_text = [](const auto& bytes) {
    return std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  };
  std::string id = HexEncode(as_text(id_bytes));
  std::string secret = Base64UrlEncode(as_text(secret_bytes));
  sodium_memzero(secret_bytes.data(), secret_bytes.size());
  KZ_ASSIGN_OR_RETURN(std::string hash, HashSecret(secret, params));
  store::NewToken row{id, request.user, std::move(hash), request.label, request.expires_us, request.refused_roles};
  KZ_ASSIGN_OR_RETURN(store::Token token, directory.CreateToken(actor, row));
  IssuedToken out{std::move(token), StrCat(kTokenPrefix, id, "_", secret)};
  sodium_memzero(secret.data(), secret.size());
  return out;
}

}  // namespace kizuna::taxii
