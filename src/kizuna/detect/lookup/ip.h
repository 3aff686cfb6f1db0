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
// Inline: the matcher parses every address field of every record with it.
inline std::optional<uint32_t> ParseIpv4(std::string_view text) {
  if (text.size() < 7 || text.size() > 15) return std::nullopt;
  const char* p = text.data();
  const char* const end = p + text.size();
  const auto digit = [&end](const char* at) {
    return at != end ? static_cast<unsigned>(*at - '0') : 10u;  // 10: not a digit
  };
  uint32_t address = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
    // One to three digits, no leading zero, at most 255.
    unsigned value = digit(p);
    if (value > 9) return std::nullopt;
    ++p;
    if (unsigned d = digit(p); d <= 9) {
      if (value == 0) return std::nullopt;
      value = value * 10 + d;
      ++p;
      if (d = digit(p); d <= 9) {
        value = value * 10 + d;
        ++p;
        if (value > 255) return std::nullopt;
      }
    }
    address = (address << 8) | value;
  }
  if (p != end) return std::nullopt;
  return address;
}

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
