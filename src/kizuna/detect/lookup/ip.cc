// Kizuna.
#include "kizuna/detect/lookup/ip.h"

#include "kizuna/pattern/cidr.h"

namespace kizuna::detect {

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
