// Kizuna. Which indicators the lookup tables can answer, and with which keys.
#pragma once

// An indicator is *simple* when its pattern is equivalent to "some value of the observation
// equals one of these keys": a single observation expression (or an OR of them) whose
// comparison tree is an OR of
//   - `type:path = 'v'` or `IN ('v', ...)` on an indexed slot (observable.h): exact keys;
//   - `ipv4-addr:value ISSUBSET 'cidr'` / `ipv6-addr:value ISSUBSET 'cidr'`: blocks;
//   - `domain-name:value LIKE '%.example.com'` (ASCII, no other wildcard): domain suffixes;
//   - `network-traffic:dst_ref.value = 'a' AND network-traffic:dst_port = p` (either side
//     may be an IN list): address-and-port pairs.
// Anything else (NOT, !=, ranges, MATCHES, other paths, qualifiers, AND between
// observations...) is left to the pattern evaluator. Classify never guesses: a simple
// pattern's keys match exactly the observations the evaluator says it matches (the
// differential tests check this on every record).
//
// Thread-safety: stateless.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kizuna/detect/lookup/ip.h"
#include "kizuna/detect/observable.h"
#include "kizuna/pattern/ast.h"

namespace kizuna::detect {

struct SimpleKey {
  enum class Kind : uint8_t {
    kString,      // slot + text, exact
    kIpv4,        // canonical ipv4-addr:value, exact (v4)
    kBlock,       // ipv4-addr / ipv6-addr ISSUBSET block
    kSuffix,      // domain-name LIKE '%.' + text
    kNetDst,      // dst_ref.value = text AND dst_port = port
  };
  Kind kind = Kind::kString;
  Slot slot = Slot::kIpv4;
  std::string text;  // kString, kSuffix, kNetDst: the value
  uint32_t v4 = 0;   // kIpv4; kNetDst when text is a canonical IPv4 address
  IpBlock block;     // kBlock
  uint32_t port = 0; // kNetDst
};

// Most keys one indicator may expand to (IN lists times ports); beyond, the evaluator.
inline constexpr size_t kMaxKeysPerIndicator = 4096;

// Returns the keys of a simple pattern, or nullopt when the evaluator must decide. An empty
// vector means the pattern can never match (e.g. only IPv4 blocks on ipv6-addr:value).
// REQUIRES: `ast` passed pattern::Validate.
std::optional<std::vector<SimpleKey>> Classify(const pattern::Ast& ast);

// Appends the keys of one comparison (`type:path op values`, not NOT) and returns true, or
// returns false when it is not simple. Classify applies it to every comparison of an OR.
// REQUIRES: `c` is a kCompare node that passed pattern::Validate.
bool ClassifyComparison(const pattern::CmpExpr& c, std::vector<SimpleKey>& out);

}  // namespace kizuna::detect
