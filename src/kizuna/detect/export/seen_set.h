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

class SeenSet {
 public:
  // Returns true when (kind, value) is new, and records it.
  bool Insert(std::string_view kind, std::string_view value) {
    uint64_t fnv = 0xcbf29ce484222325ull;
    for (std::string_view part : {kind, std::string_view("\0", 1), value}) {
      for (char c : part) {
        fnv ^= static_cast<unsigned char>(c);
        fnv *= 0x100000001b3ull;
      }
    }
    const uint64_t h = absl::Hash<std::pair<std::string_view, std::string_view>>{}({kind, value});
    return seen_.insert({h, fnv}).second;
  }

 private:
  absl::flat_hash_set<std::pair<uint64_t, uint64_t>> seen_;
};

}  // namespace kizuna::detect
