// Kizuna. IP address and CIDR block parsing for the lookup tables.
#pragma once

// The detection engine's fast paths must answer exactly what the pattern evaluator answers,
// so these follow the evaluator's rules (pattern/README.md, ISSUBSET): an IPv4 address is
// a strict dotted quad (0..255, no leading zeros: what inet_pton accepts), an IPv6 address
// is what inet_pton(AF_INET6) accepts, a block is "address" or "address/prefix" (prefix
// without leading zeros), host bits allowed. A canonical dotted quad is the only spelling of
// its address, so for IPv4 "equal strings" and "equal numbers" agree.
//
// Thread-safety: stateless.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace kizuna::detect {

// Returns the address of a strict dotted quad, most significant byte first, else nullopt.
std::optional<uint32_t> ParseIpv4(std::string_view text);

using Ipv6 = unsigned __int128;

struct IpBlock {
  bool v6 = false;
  uint32_t v4 = 0;  // when !v6
  Ipv6 v6_address = 0;  // when v6
  int prefix = 0;   // 0..32 or 0..128
};

// Parses an address or a CIDR block as described above, else nullopt.
std::optional<IpBlock> ParseIpBlock(std::string_view text);

// Returns the first address of the block (host bits cleared).
inline uint32_t MaskV4(uint32_t address, int prefix) {
  return prefix == 0 ? 0 : address & (~uint32_t{0} << (32 - prefix));
}
inline Ipv6 MaskV6(Ipv6 address, int prefix) {
  return prefix == 0 ? 0 : address & (~Ipv6{0} << (128 - prefix));
}

// Formats an IPv4 address as a dotted quad.
std::string_view FormatIpv4(uint32_t address, std::array<char, 16>& buffer);

}  // namespace kizuna::detect
