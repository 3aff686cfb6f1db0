// Kizuna. Console passwords: the rules a new password must meet, hashing and checking.
#pragma once

// Passwords are hashed with Argon2id through libsodium (crypto_pwhash_str, the same
// parameters as token secrets: taxii/auth/token.h), salt and parameters in the string; only
// the hash is stored (store::Directory::SetUserPassword).
// Thread-safety: stateless functions.

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "kizuna/taxii/auth/token.h"

namespace kizuna::api {

inline constexpr size_t kMinPasswordChars = 12;  // bytes, counted as UTF-8
inline constexpr size_t kMaxPasswordBytes = 1024;

// Returns the hash of `password`. InvalidArgument when it is shorter than kMinPasswordChars
// or longer than kMaxPasswordBytes, or holds a control character; ResourceExhausted when
// libsodium cannot get the memory.
absl::StatusOr<std::string> HashPassword(std::string_view password, const taxii::HashParams& params = {});

// Returns true if `password` matches `hash`. With an empty `hash` (a user without a
// password, or none at all) checks against a fixed hash and returns false, so the answer
// takes as long either way.
bool CheckPassword(std::string_view hash, std::string_view password);

}  // namespace kizuna::api
