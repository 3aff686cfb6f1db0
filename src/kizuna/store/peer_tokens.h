// Kizuna. Partner tokens sealed with the node's key, so that the database never holds them.
#pragma once

// The token this node presents to a peer must be sent, so it cannot be kept as a hash like
// users' tokens. It is sealed instead (XChaCha20-Poly1305, libsodium) with a 32-byte key that
// lives in the file peer-tokens.key beside the database (0600, data_dir.h), and only the
// sealed form is stored (peers.sealed_token). A copy of kizuna.db without that file reveals no
// partner token; a sealed token moved into another peer's row does not open, because the
// peer's name is authenticated with it.
//
//   KZ_ASSIGN_OR_RETURN(TokenSealer sealer, TokenSealer::LoadOrCreate(key_path));
//   std::string sealed = sealer.Seal("usa", token);
//   KZ_ASSIGN_OR_RETURN(std::string token, sealer.Open("usa", sealed));
//
// Thread-safety: a TokenSealer does not change once made; share it freely.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kizuna::store {

class TokenSealer {
 public:
  static constexpr size_t kKeyBytes = 32;
  using Key = std::array<uint8_t, kKeyBytes>;

  // Reads the key in the file at `path`, or creates that file with a new random key (0600)
  // when there is none; processes racing to create it end up with the same key. Returns
  // DataLoss naming the file when it does not hold a key, Unavailable when it cannot be read
  // or written.
  static absl::StatusOr<TokenSealer> LoadOrCreate(const std::string& path);
  // Reads the key in the file at `path`. Returns NotFound when there is none; DataLoss and
  // Unavailable as LoadOrCreate.
  static absl::StatusOr<TokenSealer> Load(const std::string& path);

  explicit TokenSealer(const Key& key) : key_(key) {}
  ~TokenSealer();
  TokenSealer(const TokenSealer&) = default;
  TokenSealer& operator=(const TokenSealer&) = default;

  // Returns `token` sealed for peer `peer`: a version octet, a random nonce, the ciphertext
  // and its tag (binary; 41 octets more than the token).
  std::string Seal(std::string_view peer, std::string_view token) const;

  // Returns the token `sealed` holds for peer `peer`, or DataLoss when it was not sealed
  // with this key for this peer (another key, another peer, altered or truncated).
  absl::StatusOr<std::string> Open(std::string_view peer, std::string_view sealed) const;

 private:
  Key key_;
};

}  // namespace kizuna::store
