// Kizuna.
#include "kizuna/detect/lookup/ip.h"

#include "kizuna/pattern/cidr.h"

namespace kizuna::detect {

std::optional<uint32_t> ParseIpv4(std::string_view text) {
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

std::optional<IpBlock> ParseIpBlock(std::string_view text) {
  // The evaluator's own parser, so the two cannot disagree; here as numbers.
  std::optional<pattern::IpBlock> parsed = pattern::ParseIpBlock(text);
  if (!parsed) return std::nullopt;
  IpBlock block;
  block.v6 = parsed->v6;
  block.prefix = parsed->prefix;
  if (block.v6) {
    for (uint8_t b : parsed->address) block.v6_address = (block.v6_address << 8) | b;
  } else {
    for (int i = 0; i < 4; ++i) block.v4 = (block.v4 << 8) | parsed->address[i];
  }
  return block;
}

std::string_view FormatIpv4(uint32_t address, std::array<char, 16>& buffer) {
  char* p = buffer.data();
  for (int i = 3; i >= 0; --i) {
    unsigned v = (address >> (8 * i)) & 0xFF;
    if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
    if (v >= 10) *p++ = static_cast<char>('0' + (v / 10) % 10);
    *p++ = static_cast<char>('0' + v % 10);
    if (i > 0) *p++ = '.';
  }
  return std::string_view(buffer.data(), static_cast<size_t>(p - buffer.data()));
}

}  // namespace kizuna::detect
