// Kizuna. API tokens: their text, the slow hash of their secret, and issuing one.
#pragma once

// A token reads `kz_<id>_<secret>` (63 characters):
//   id      16 lowercase hex digits (64 random bits). Not secret: it names the token in the
//           directory, in `kizuna admin token list|revoke` and in the audit log, and lets
//           the server find the one hash to check without trying others.
//   secret  32 random bytes (256 bits) as unpadded URL-safe base64 (43 characters).
// The whole token is URL- and header-safe. Only an Argon2id hash of the secret is stored
// (libsodium crypto_pwhash_str, with its random salt and parameters in the string), so a
// copy of the database does not yield usable tokens. 256 random bits cannot be guessed;
// the slow hash is defence in depth against a leaked database, and its cost is paid once per
// token and server process thanks to the authenticator's cache (token_authenticator.h).
//
//   KZ_ASSIGN_OR_RETURN(IssuedToken t, IssueToken(directory, "cli", {.user = "alice"},
//                                                   SecureRandom()));
//   // show t.text once; the directory never sees it
//
// Thread-safety: stateless; IssueToken is as thread-safe as the directory and `random`.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "kizuna/base/random.h"
#include "kizuna/store/directory.h"

namespace kizuna::taxii {

inline constexpr std::string_view kTokenPrefix = "kz_";
inline constexpr size_t kTokenIdBytes = 8;
inline constexpr size_t kTokenIdChars = 2 * kTokenIdBytes;
inline constexpr size_t kTokenSecretBytes = 32;
inline constexpr size_t kTokenSecretChars = 43;  // unpadded base64 of 32 bytes
inline constexpr size_t kTokenChars = kTokenPrefix.size() + kTokenIdChars + 1 + kTokenSecretChars;

// Argon2id cost of hashing a token secret. The default is OWASP's recommended minimum for
// Argon2id (19 MiB of memory, 2 passes, 1 lane): about 20-40 ms on one core here, paid once
// per token per server process. crypto_pwhash_OPSLIMIT_INTERACTIVE is 2; its 64 MiB memory
// limit would let a dozen concurrent logins take most of a small node's memory. The
// parameters are stored in each hash, so changing them affects new tokens only.
struct HashParams {
  uint64_t ops_limit = 2;               // passes; libsodium minimum 1
  size_t mem_limit = size_t{19} << 20;  // bytes; libsodium minimum 8 KiB
};

// The cheapest parameters libsodium allows: for tests only.
inline constexpr HashParams kTestHashParams = {1, 8192};

struct TokenParts {
  std::string_view id;      // kTokenIdChars lowercase hex digits
  std::string_view secret;  // kTokenSecretChars base64url characters
};

// Splits `token` into its parts (views into `token`). Returns nullopt unless it has
// exactly the form above.
std::optional<TokenParts> ParseToken(std::string_view token);

// Returns the crypto_pwhash_str hash of `secret`. Returns ResourceExhausted if libsodium
// cannot get the memory.
absl::StatusOr<std::string> HashSecret(std::string_view secret, const HashParams& params);

// Returns true if `secret` matches `hash` (a crypto_pwhash_str string). Takes as long as
// the hash's parameters say, whatever the answer.
bool VerifySecret(std::string_view hash, std::string_view secret);

struct TokenRequest {
  std::string user;
  std::string label;
  std::optional<int64_t> expires_us;  // none: never expires
  uint8_t refused_roles = 0;          // as store::NewToken
};

struct IssuedToken {
  store::Token token;  // as stored
  std::string text;    // the whole token: show it once, never store or log it
};

// Makes a new token for `request.user` with `random` (use SecureRandom() outside tests),
// stores its hash in `directory` (audited as `actor`) and returns it. Errors as
// Directory::CreateToken.
absl::StatusOr<IssuedToken> IssueToken(store::Directory& directory, std::string_view actor,
                                       const TokenRequest& request, Random& random,
                                       const HashParams& params = {});

}  // namespace kizuna::taxii
