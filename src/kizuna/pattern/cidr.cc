// Kizuna.
#include "kizuna/pattern/cidr.h"

#include <arpa/inet.h>

#include <cstring>

namespace kizuna::pattern {

namespace {

// Strict dotted quad ("a.b.c.d", each 0..255 without leading zeros), the common case, without
// copying the text for inet_pton.
bool ParseIpv4(std::string_view text, uint8_t out[4]) {
  size_t pos = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (pos >= text.size() || text[pos] != '.') return false;
      ++pos;
    }
    const size_t start = pos;
    unsigned value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && pos - start < 3) {
      value = value * 10 + static_cast<unsigned>(text[pos] - '0');
      ++pos;
    }
    const size_t digits = pos - start;
    if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0')) return false;
    out[part] = static_cast<uint8_t>(value);
  }
  return pos == text.size();
}

}  // namespace

std::optional<IpBlock> ParseIpBlock(std::string_view text) {
  constexpr size_t kLongest = 64;  // "ffff:...:255.255.255.255/128" is 49
  if (text.empty() || text.size() > kLongest) return std::nullopt;
  IpBlock block;
  std::string_view address = text;
  std::optional<int> prefix;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    address = text.substr(0, slash);
    std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    int value = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + (c - '0');
    }
    if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
    prefix = value;
  }
  block.v6 = address.find(':') != std::string_view::npos;
  if (!block.v6) {
    if (!ParseIpv4(address, block.address.data())) return std::nullopt;
  } else {
    char buffer[kLongest + 1];
    std::memcpy(buffer, address.data(), address.size());
    buffer[address.size()] = '\0';
    if (inet_pton(AF_INET6, buffer, block.address.data()) != 1) return std::nullopt;
  }
  const int bits = block.v6 ? 128 : 32;
  block.prefix = prefix.value_or(bits);
  if (block.prefix > bits) return std::nullopt;
  return block;
}

bool BlockContains(const IpBlock& outer, const IpBlock& inner) {
  if (outer.v6 != inner.v6 || outer.prefix > inner.prefix) return false;
  const int full_bytes = outer.prefix / 8;
  if (std::memcmp(outer.address.data(), inner.address.data(), full_bytes) != 0) return false;
  const int rest = outer.prefix % 8;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (outer.address[full_bytes] & mask) == (inner.address[full_bytes] & mask);
}

}  // namespace kizuna::pattern
