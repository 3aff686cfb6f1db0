// Kizuna.
#include "kizuna/detect/lookup/ip.h"

#include <arpa/inet.h>

#include <cstring>

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
  constexpr size_t kLongest = 64;
  if (text.empty() || text.size() > kLongest) return std::nullopt;
  IpBlock block;
  std::string_view address = text;
  int prefix = -1;
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
    std::optional<uint32_t> v4 = ParseIpv4(address);
    if (!v4) return std::nullopt;
    block.v4 = *v4;
  } else {
    char buffer[kLongest + 1];
    std::memcpy(buffer, address.data(), address.size());
    buffer[address.size()] = '\0';
    unsigned char bytes[16];
    if (inet_pton(AF_INET6, buffer, bytes) != 1) return std::nullopt;
    Ipv6 value = 0;
    for (unsigned char b : bytes) value = (value << 8) | b;
    block.v6_address = value;
  }
  const int bits = block.v6 ? 128 : 32;
  block.prefix = prefix < 0 ? bits : prefix;
  if (block.prefix > bits) return std::nullopt;
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
