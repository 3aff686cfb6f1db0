// Kizuna.
#include "kizuna/store/peer_tokens.h"

#include <sodium.h>

#include <algorithm>
#include <span>

#include "kizuna/base/file.h"
#include "kizuna/base/random.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/data_dir.h"

namespace kizuna::store {
namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
static_assert(TokenSealer::kKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

// What the tag authenticates besides the token: the format's version and the peer's name.
std::string AssociatedData(std::string_view peer) {
  return StrCat("kizuna peer token ", kVersion, " ", peer);
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

absl::StatusOr<TokenSealer> TokenSealer::Load(const std::string& path) {
  absl::StatusOr<simdjson::padded_string> text = ReadFile(path, 1024);
  if (text.status().code() == absl::StatusCode::kNotFound) return text.status();
  if (!text.ok())
    return absl::UnavailableError(
        StrCat("cannot read the peer token key: ", View(text.status().message())));
  Key key;
  if (text->size() != key.size()) {
    return absl::DataLossError(StrCat(path, " is not a key of ", key.size(),
                                      " octets: the peers' tokens cannot be opened with it"));
  }
  std::copy(text->data(), text->data() + key.size(), key.begin());
  return TokenSealer(key);
}

absl::StatusOr<TokenSealer> TokenSealer::LoadOrCreate(const std::string& path) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    absl::StatusOr<TokenSealer> existing = Load(path);
    if (existing.status().code() != absl::StatusCode::kNotFound) return existing;
    Key key;
    SecureRandom().Fill(key);
    absl::Status created = CreateFileExclusively(
        path, std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
    if (created.ok()) return TokenSealer(key);
    if (created.code() != absl::StatusCode::kAlreadyExists) {
      return absl::UnavailableError(
          StrCat("cannot create the peer token key: ", View(created.message())));
    }
    // Another process made it first: read theirs.
  }
  return absl::UnavailableError(StrCat("cannot read or create the peer token key ", path));
}

TokenSealer::~TokenSealer() { sodium_memzero(key_.data(), key_.size()); }

std::string TokenSealer::Seal(std::string_view peer, std::string_view token) const {
  std::string out(1 + kNonceBytes + token.size() + kTagBytes, '\0');
  out[0] = static_cast<char>(kVersion);
  auto* nonce = reinterpret_cast<unsigned char*>(out.data() + 1);
  SecureRandom().Fill(std::span<uint8_t>(nonce, kNonceBytes));
  std::string ad = AssociatedData(peer);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + kNonceBytes, &written, Bytes(token),
                                             token.size(), Bytes(ad), ad.size(), nullptr, nonce,
                                             key_.data());
  return out;
}

absl::StatusOr<std::string> TokenSealer::Open(std::string_view peer,
                                              std::string_view sealed) const {
  if (sealed.size() < 1 + kNonceBytes + kTagBytes || static_cast<uint8_t>(sealed[0]) != kVersion) {
    return absl::DataLossError(StrCat("peer '", peer, "': the stored token is not a sealed token"));
  }
  const unsigned char* nonce = Bytes(sealed) + 1;
  std::string_view cipher = sealed.substr(1 + kNonceBytes);
  std::string token(cipher.size() - kTagBytes, '\0');
  std::string ad = AssociatedData(peer);
  unsigned long long length = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(token.data()),
                                                 &length, nullptr, Bytes(cipher), cipher.size(),
                                                 Bytes(ad), ad.size(), nonce, key_.data()) != 0) {
    return absl::DataLossError(StrCat(
        "peer '", peer, "': its token does not open with the node's key (", kPeerTokenKeyFile,
        "): the key was replaced or the token altered;", " remove the peer and add it again"));
  }
  token.resize(length);
  return token;
}

}  // namespace kizuna::store
