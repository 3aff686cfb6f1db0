// Kizuna.
#include "kizuna/base/digest.h"

#include <openssl/evp.h>

#include <memory>

#include "kizuna/base/assert.h"

namespace kizuna {
namespace {

constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Encode(std::string_view bytes, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = uint8_t(bytes[i]) << 16 | uint8_t(bytes[i + 1]) << 8 | uint8_t(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += alphabet[(v >> s) & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = uint8_t(bytes[i]) << 16 | (rest == 2 ? uint8_t(bytes[i + 1]) << 8 : 0);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (rest == 2) out += alphabet[(v >> 6) & 63];
    if (pad) out.append(3 - rest, '=');
  }
  return out;
}

std::optional<std::string> Decode(std::string_view text, std::string_view alphabet, bool pad) {
  if (pad && text.size() % 4 != 0) return std::nullopt;
  size_t padding = 0;
  while (pad && padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') {
    ++padding;
  }
  text.remove_suffix(padding);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    size_t v = alphabet.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    acc = acc << 6 | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;  // non-canonical tail
  return out;
}

template <size_t N>
std::array<uint8_t, N> Digest(const EVP_MD* md, std::string_view a, std::string_view b) {
  std::array<uint8_t, N> out;
  // One context per thread, reused: allocating one per digest cost half of hashing a token.
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> owned(EVP_MD_CTX_new(),
                                                                               &EVP_MD_CTX_free);
  EVP_MD_CTX* ctx = owned.get();
  KZ_CHECK(ctx != nullptr);
  unsigned int len = 0;
  KZ_CHECK(EVP_DigestInit_ex(ctx, md, nullptr) == 1);
  KZ_CHECK(EVP_DigestUpdate(ctx, a.data(), a.size()) == 1);
  KZ_CHECK(EVP_DigestUpdate(ctx, b.data(), b.size()) == 1);
  KZ_CHECK(EVP_DigestFinal_ex(ctx, out.data(), &len) == 1 && len == N);
  return out;
}

// Fetched once: an EVP_sha256() digest is looked up again by every EVP_DigestInit_ex, which
// costs more than hashing a token.
const EVP_MD* Fetch(const char* name) {
  const EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  KZ_CHECK(md != nullptr);
  return md;
}

}  // namespace

Sha1Digest Sha1(std::string_view a, std::string_view b) {
  static const EVP_MD* const md = Fetch("SHA1");
  return Digest<20>(md, a, b);
}
Sha256Digest Sha256(std::string_view data) {
  static const EVP_MD* const md = Fetch("SHA256");
  return Digest<32>(md, data, {});
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::optional<std::string> HexDecode(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  auto value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = value(text[i]), lo = value(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi << 4 | lo);
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) { return Encode(bytes, kBase64, true); }
std::optional<std::string> Base64Decode(std::string_view text) { return Decode(text, kBase64, true); }
std::string Base64UrlEncode(std::string_view bytes) { return Encode(bytes, kBase64Url, false); }
std::optional<std::string> Base64UrlDecode(std::string_view text) {
  return Decode(text, kBase64Url, false);
}

}  // namespace kizuna
