// Kizuna. Opaque, tamper-proof `next` tokens for TAXII pagination (TAXII 2.1 §3.5).
#pragma once

// A token names a position in a collection (the date_added after which the next page
// starts) and is bound to the request it continues: the endpoint, collection, object and
// filters, but not `limit`. The position is encrypted and authenticated with a node key
// (XChaCha20-Poly1305, a random nonce per token, the binding as associated data): a client
// can neither read the position (which may be that of an entry withheld from it, see
// docs/policy.md), nor forge one, nor reuse a token with other filters; the last two get 400.
// Positions never expire: entries only ever get later date_added values, so a token stays
// meaningful while writes continue.
//
//   NextTokens tokens(key);
//   std::string next = tokens.Make(binding, page.next.after_date_added_us);
//   KZ_ASSIGN_OR_RETURN(int64_t after, tokens.Open(next, binding));
//
// Thread-safety: immutable after construction.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kizuna::taxii {

class NextTokens {
 public:
  static constexpr size_t kKeyBytes = 32;
  using Key = std::array<uint8_t, kKeyBytes>;

  explicit NextTokens(const Key& key);

  // Returns the token for position `after_us` of the request described by `binding`.
  std::string Make(std::string_view binding, int64_t after_us) const;

  // Returns the position in `token`, or InvalidArgument if it is malformed, forged, or was
  // made for another request.
  absl::StatusOr<int64_t> Open(std::string_view token, std::string_view binding) const;

 private:
  Key key_;
};

}  // namespace kizuna::taxii
