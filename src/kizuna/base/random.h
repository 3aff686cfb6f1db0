// Kizuna. Injected randomness, so tests are reproducible.
#pragma once

// What makes identifiers (statuses, collections, organisations) or API tokens takes a
// `Random&` (or an option naming one), so a test can pass a SeededRandom. The node's own key
// material and its AEAD nonces (the peer token key and its seals, `next` token nonces) are
// the exception: they always come from SecureRandom() itself, so that no configuration or
// wiring mistake can make them predictable.
//
// Thread-safety: SecureRandom() is thread-safe; SeededRandom is not (one per thread/test).

#include <cstddef>
#include <cstdint>
#include <span>

namespace kizuna {

class Random {
 public:
  virtual ~Random() = default;
  // Fills `out` with random bytes.
  virtual void Fill(std::span<uint8_t> out) = 0;
};

// Returns the process-wide cryptographically secure generator (OpenSSL RAND_bytes).
Random& SecureRandom();

// A deterministic generator (splitmix64) for tests and generated fixtures.
class SeededRandom : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}
  void Fill(std::span<uint8_t> out) override;
  uint64_t Next();

 private:
  uint64_t state_;
};

}  // namespace kizuna
