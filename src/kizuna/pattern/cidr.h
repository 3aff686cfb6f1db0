// Kizuna. IPv4 and IPv6 addresses and CIDR blocks for ISSUBSET / ISSUPERSET.
#pragma once

// `a ISSUBSET b` is true when every address of `a` is in the CIDR block `b`;
// `a ISSUPERSET b` when every address of `b` is in `a` (STIX 2.1 §9.6). A plain address is
// its own /32 (IPv4) or /128 (IPv6) block; an equal block counts as contained. Addresses are
// parsed strictly with inet_pton (dotted quads, RFC 4291 text); an IPv4 block never
// contains an IPv6 one nor the reverse, IPv4-mapped IPv6 included.
// Thread-safety: stateless.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace kizuna::pattern {

struct IpBlock {
  bool v6 = false;
  std::array<uint8_t, 16> address{};  // the first 4 bytes for IPv4
  int prefix = 0;                     // 0..32 or 0..128
};

// Parses "a.b.c.d", "a.b.c.d/n", an IPv6 address or "v6/n". Host bits may be set (they are
// ignored). Returns nullopt for anything else.
std::optional<IpBlock> ParseIpBlock(std::string_view text);

// Returns true if `inner` lies entirely within `outer`.
bool BlockContains(const IpBlock& outer, const IpBlock& inner);

}  // namespace kizuna::pattern
