// Kizuna.
#include "kizuna/base/random.h"

#include <openssl/rand.h>

#include "kizuna/base/assert.h"

namespace kizuna {
namespace {

class OpenSslRandom : public Random {
 public:
  void Fill(std::span<uint8_t> out) override {
    // RAND_bytes only fails when the OS entropy source is unusable: no safe way to go on.
    KZ_CHECK(RAND_bytes(out.data(), static_cast<int>(out.size())) == 1);
  }
};

}  // namespace

Random& SecureRandom() {
  static OpenSslRandom random;  // stateless, so usable until the very end
  return random;
}

uint64_t SeededRandom::Next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void SeededRandom::Fill(std::span<uint8_t> out) {
  for (size_t i = 0; i < out.size(); i += 8) {
    uint64_t v = Next();
    for (size_t j = 0; j < 8 && i + j < out.size(); ++j) out[i + j] = static_cast<uint8_t>(v >> (8 * j));
  }
}

}  // namespace kizuna
