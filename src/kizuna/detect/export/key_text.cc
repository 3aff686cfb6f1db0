// Kizuna.
#include "kizuna/detect/export/key_text.h"

#include <arpa/inet.h>

#include <array>
#include <cstring>

#include "kizuna/base/strings.h"

namespace kizuna::detect {
namespace {

std::string FormatIpv6(Ipv6 address) {
  std::array<uint8_t, 16> bytes;
  for (int i = 15; i >= 0; --i) {
    bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(address & 0xff);
    address >>= 8;
  }
  std::array<char, INET6_ADDRSTRLEN> text{};
  inet_ntop(AF_INET6, bytes.data(), text.data(), text.size());
  return std::string(text.data());
}

}  // namespace

std::string FormatBlock(const IpBlock& block) {
  std::string address;
  if (block.v6) {
    address = FormatIpv6(MaskV6(block.v6_address, block.prefix));
  } else {
    std::array<char, 16> buffer;
    address = std::string(FormatIpv4(MaskV4(block.v4, block.prefix), buffer));
  }
  return StrCat(address, "/", block.prefix);
}

std::optional<std::string> CanonicalIpv6(std::string_view text) {
  if (text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  std::array<char, INET6_ADDRSTRLEN> z{};
  std::memcpy(z.data(), text.data(), text.size());
  std::array<uint8_t, 16> bytes;
  if (inet_pton(AF_INET6, z.data(), bytes.data()) != 1) return std::nullopt;
  std::array<char, INET6_ADDRSTRLEN> out{};
  inet_ntop(AF_INET6, bytes.data(), out.data(), out.size());
  return std::string(out.data());
}

std::optional<std::string> AddressOf(const SimpleKey& key) {
  if (key.kind == SimpleKey::Kind::kIpv4) {
    std::array<char, 16> buffer;
    return std::string(FormatIpv4(key.v4, buffer));
  }
  if (key.kind == SimpleKey::Kind::kString && key.slot == Slot::kIpv6)
    return CanonicalIpv6(key.text);
  return std::nullopt;
}

std::optional<std::string> DnsName(std::string_view text, size_t max_bytes) {
  if (text.ends_with('.')) text.remove_suffix(1);
  if (text.empty() || text.size() > max_bytes) return std::nullopt;
  std::string out;
  out.reserve(text.size());
  size_t label = 0;
  for (char c : text) {
    if (c == '.') {
      if (label == 0) return std::nullopt;
      label = 0;
    } else {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_';
      if (!ok || ++label > 63) return std::nullopt;
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    out.push_back(c);
  }
  if (label == 0) return std::nullopt;
  return out;
}

std::string_view KeyKind(const SimpleKey& key) {
  switch (key.kind) {
    case SimpleKey::Kind::kIpv4:
      return "ipv4";
    case SimpleKey::Kind::kBlock:
      return "cidr";
    case SimpleKey::Kind::kSuffix:
      return "domain-suffix";
    case SimpleKey::Kind::kNetDst:
      return "address-port";
    case SimpleKey::Kind::kString:
      break;
  }
  switch (key.slot) {
    case Slot::kIpv4:
      return "ipv4";
    case Slot::kIpv6:
      return "ipv6";
    case Slot::kDomain:
      return "domain";
    case Slot::kUrl:
      return "url";
    case Slot::kEmail:
      return "email";
    case Slot::kFileName:
      return "file-name";
    case Slot::kFileMd5:
      return "md5";
    case Slot::kFileSha1:
      return "sha1";
    case Slot::kFileSha256:
      return "sha256";
    case Slot::kFileSha512:
      return "sha512";
    case Slot::kX509Md5:
      return "x509-md5";
    case Slot::kX509Sha1:
      return "x509-sha1";
    case Slot::kX509Sha256:
      return "x509-sha256";
    case Slot::kX509Serial:
      return "x509-serial";
    case Slot::kUserAgent:
      return "user-agent";
    case Slot::kHttpRequest:
      return "http-request";
    case Slot::kHttpMethod:
      return "http-method";
    case Slot::kNetDst:
      return "address-port";
  }
  return "unknown";
}

std::string KeyValue(const SimpleKey& key) {
  switch (key.kind) {
    case SimpleKey::Kind::kIpv4:
      return *AddressOf(key);
    case SimpleKey::Kind::kBlock:
      return FormatBlock(key.block);
    case SimpleKey::Kind::kNetDst:
      return key.text.find(':') != std::string::npos ? StrCat("[", key.text, "]:", key.port)
                                                     : StrCat(key.text, ":", key.port);
    case SimpleKey::Kind::kSuffix:
    case SimpleKey::Kind::kString:
      break;
  }
  return key.text;
}

}  // namespace kizuna::detect
