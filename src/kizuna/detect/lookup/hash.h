// Kizuna. The hash of the detection engine's lookup tables.
#pragma once

// A small wyhash-style hash over 64-bit words: a multiply-and-fold per 16 bytes, so hashing
// a 20-byte domain costs a few nanoseconds. Tables mix a per-snapshot seed in (CompileOptions
// hash_seed), so nobody can craft indicator values that all land in one probe run. Not a
// cryptographic hash. Reads only the bytes of the value (no over-read past its end).
//
// Thread-safety: stateless.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace kizuna::detect {

inline uint64_t HashMix(uint64_t a, uint64_t b) {
  const __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

namespace hash_internal {
inline constexpr uint64_t kP0 = 0xa0761d6478bd642full;
inline constexpr uint64_t kP1 = 0xe7037ed1a0b428dbull;
inline constexpr uint64_t kP2 = 0x8ebc6af09c88c6e3ull;
inline uint64_t Load8(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint64_t Load4(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
}  // namespace hash_internal

// Returns the hash of `bytes` under `seed`.
inline uint64_t HashBytes(std::string_view bytes, uint64_t seed) {
  using namespace hash_internal;
  const char* p = bytes.data();
  size_t n = bytes.size();
  uint64_t h = seed ^ HashMix(seed ^ kP0, static_cast<uint64_t>(n) ^ kP1);
  while (n > 16) {
    h = HashMix(Load8(p) ^ kP1, Load8(p + 8) ^ h);
    p += 16;
    n -= 16;
  }
  uint64_t a = 0;
  uint64_t b = 0;
  if (n >= 8) {
    a = Load8(p);
    b = Load8(p + n - 8);
  } else if (n >= 4) {
    a = Load4(p);
    b = Load4(p + n - 4);
  } else if (n > 0) {
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    a = (uint64_t{u[0]} << 16) | (uint64_t{u[n >> 1]} << 8) | u[n - 1];
  }
  return HashMix(a ^ kP2 ^ h, b ^ kP0 ^ (h >> 7)) ^ h;
}

// The buckets of an open-addressing table of `keys` keys: a power of two, at least 16. Most
// lookups miss, and with linear probing a miss reads up to the next empty bucket:
// (1 + 1 / (1 - load)^2) / 2 buckets on average, 2.5 at load 0.5, 11 at load 0.8. Tables of
// up to kSmallTableKeys keys (a few MB at most, mostly in cache, where that walk is the cost)
// are sized at load <= 0.5; larger ones at load <= 0.8, which keeps a million indicators
// within their memory budget (bench/README.md, detect_bench: <= 64 bytes per indicator).
inline constexpr size_t kSmallTableKeys = size_t{1} << 16;
inline size_t TableBuckets(size_t keys) {
  return std::bit_ceil(std::max<size_t>(16, keys <= kSmallTableKeys ? keys * 2 : keys + keys / 4));
}

// Returns the hash of one 64-bit integer under `seed`.
inline uint64_t HashWord(uint64_t word, uint64_t seed) {
  using namespace hash_internal;
  return HashMix(word ^ kP0 ^ seed, kP1 ^ (seed >> 3)) ^ (word * kP2);
}

}  // namespace kizuna::detect
