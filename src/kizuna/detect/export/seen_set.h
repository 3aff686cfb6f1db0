// Kizuna. The entries a writer has written, to write each once.
#pragma once

// SeenSet keeps a 128-bit fingerprint of each (kind, value) pair instead of its text: two
// independent 64-bit hashes (Abseil's and FNV-1a), so a million entries cost 16 bytes each and
// no allocation; two distinct entries share a fingerprint with probability about n² / 2^129.
//
// Thread-safety: belongs to one thread.

#include <cstdint>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"

namespace kizuna::detect {

// Returns the 64-bit FNV-1a hash of `a`, a zero byte and `b`: stable across runs and builds.
inline uint64_t Fnv1a(std::string_view a, std::string_view b) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (std::string_view part : {a, std::string_view("\0", 1), b}) {
    for (char c : part) {
      h ^= static_cast<unsigned char>(c);
      h *= 0x100000001b3ull;
    }
  }
  return h;
}

class SeenSet {
 public:
  // Makes room for `n` entries at once.
  void Reserve(size_t n) { seen_.reserve(n); }

  // Returns true when (kind, value) is new, and records it.
  bool Insert(std::string_view kind, std::string_view value) {
    const uint64_t fnv = Fnv1a(kind, value);
    const uint64_t h = absl::Hash<std::pair<std::string_view, std::string_view>>{}({kind, value});
    return seen_.insert({h, fnv}).second;
  }

 private:
  absl::flat_hash_set<std::pair<uint64_t, uint64_t>> seen_;
};

}  // namespace kizuna::detect
