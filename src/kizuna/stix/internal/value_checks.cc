// Kizuna.
#include "kizuna/stix/internal/value_checks.h"

#include <arpa/inet.h>

#include <array>
#include <cstring>

#include "kizuna/stix/id.h"

namespace kizuna::stix_internal {
namespace {

constexpr size_t kMaxNameLength = 250;

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAlpha(char c) { return IsLower(c) || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool AllHex(std::string_view text) {
  for (char c : text) {
    if (!IsHexDigit(c)) return false;
  }
  return true;
}

bool IsKeyChar(char c) { return IsAlpha(c) || IsDigit(c) || c == '-' || c == '_'; }

bool KeyOfLength(std::string_view key, size_t min) {
  if (key.size() < min || key.size() > kMaxNameLength) return false;
  for (char c : key) {
    if (!IsKeyChar(c)) return false;
  }
  return true;
}

// Parses decimal digits [0, max] without leading zeros; returns false otherwise.
bool SmallNumber(std::string_view text, int max) {
  if (text.empty() || text.size() > 3 || (text.size() > 1 && text[0] == '0')) return false;
  int v = 0;
  for (char c : text) {
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  return v <= max;
}

// Splits "address/prefix"; returns false if the prefix is present but not in [0, max].
bool SplitPrefix(std::string_view text, int max, std::string_view& address) {
  size_t slash = text.find('/');
  address = text.substr(0, slash);
  return slash == std::string_view::npos || SmallNumber(text.substr(slash + 1), max);
}

struct HashLength {
  std::string_view algorithm;
  size_t hex_digits;
};
constexpr std::array<HashLength, 12> kHashLengths = {{{"MD5", 32},
                                                      {"SHA-1", 40},
                                                      {"SHA-224", 56},
                                                      {"SHA-256", 64},
                                                      {"SHA-384", 96},
                                                      {"SHA-512", 128},
                                                      {"SHA3-224", 56},
                                                      {"SHA3-256", 64},
                                                      {"SHA3-384", 96},
                                                      {"SHA3-512", 128},
                                                      {"RIPEMD-160", 40},
                                                      {"WHIRLPOOL", 128}}};
constexpr std::array<std::string_view, 12> kHashExpectations = {
    "32 hexadecimal digits",  "40 hexadecimal digits", "56 hexadecimal digits",
    "64 hexadecimal digits",  "96 hexadecimal digits", "128 hexadecimal digits",
    "56 hexadecimal digits",  "64 hexadecimal digits", "96 hexadecimal digits",
    "128 hexadecimal digits", "40 hexadecimal digits", "128 hexadecimal digits"};

}  // namespace

bool IsBase64(std::string_view text) {
  if (text.size() % 4 != 0) return false;
  size_t padding = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0) return false;  // '=' only at the end
    if (!(IsAlpha(c) || IsDigit(c) || c == '+' || c == '/')) return false;
  }
  return padding <= 2;
}

bool IsLowerHex(std::string_view text) {
  if (text.size() % 2 != 0) return false;
  for (char c : text) {
    if (!(IsDigit(c) || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsLanguageTag(std::string_view text) {
  if (text.empty() || text.size() > 64) return false;
  size_t start = 0;
  bool first = true;
  while (start <= text.size()) {
    size_t end = text.find('-', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view subtag = text.substr(start, end - start);
    if (subtag.empty() || subtag.size() > 8) return false;
    for (char c : subtag) {
      if (!(IsAlpha(c) || (!first && IsDigit(c)))) return false;
    }
    if (first && subtag.size() == 1 && subtag != "i" && subtag != "x" && subtag != "I" &&
        subtag != "X") {
      return false;
    }
    first = false;
    start = end + 1;
  }
  return text.back() != '-';
}

bool IsDictionaryKey(std::string_view key) { return KeyOfLength(key, 1); }

bool IsHashKey(std::string_view key) { return KeyOfLength(key, 3); }

std::string_view CheckHashValue(std::string_view algorithm, std::string_view value) {
  for (size_t i = 0; i < kHashLengths.size(); ++i) {
    if (kHashLengths[i].algorithm == algorithm) {
      return value.size() == kHashLengths[i].hex_digits && AllHex(value) ? std::string_view()
                                                                         : kHashExpectations[i];
    }
  }
  if (algorithm == "TLSH") {
    // 35 bytes as hex, optionally with the "T1" version prefix of TLSH 4.
    std::string_view digits =
        value.size() == 72 && value.substr(0, 2) == "T1" ? value.substr(2) : value;
    return digits.size() == 70 && AllHex(digits) ? std::string_view()
                                                 : "70 hexadecimal digits (35 bytes)";
  }
  if (algorithm == "SSDEEP" || algorithm == "ssdeep") {
    // blocksize:hash:hash
    size_t first = value.find(':');
    size_t second = first == std::string_view::npos ? first : value.find(':', first + 1);
    bool ok = first != std::string_view::npos && first > 0 && second != std::string_view::npos;
    for (size_t i = 0; ok && i < first; ++i) ok = IsDigit(value[i]);
    return ok ? std::string_view() : "an ssdeep hash (blocksize:hash:hash)";
  }
  return value.empty() ? "a non-empty hash value" : std::string_view();
}

bool IsPropertyName(std::string_view name) {
  if (name.size() < 3 || name.size() > kMaxNameLength || !IsLower(name[0])) return false;
  for (char c : name) {
    if (!(IsLower(c) || IsDigit(c) || c == '_')) return false;
  }
  return true;
}

bool IsRelationshipType(std::string_view text) {
  if (text.size() < 3 || text.size() > kMaxNameLength) return false;
  for (char c : text) {
    if (!(IsLower(c) || IsDigit(c) || c == '-')) return false;
  }
  return true;
}

bool IsCustomExtensionName(std::string_view name) {
  constexpr std::string_view kSuffix = "-ext";
  if (name.size() < 3 || name.size() > kMaxNameLength) return false;
  for (char c : name) {
    if (!(IsLower(c) || IsDigit(c) || c == '-')) return false;
  }
  return name.size() >= kSuffix.size() && name.substr(name.size() - kSuffix.size()) == kSuffix;
}

std::string_view IdentifierType(std::string_view text) {
  constexpr size_t kUuidLength = 36;
  constexpr size_t kVariant = 19;  // position of the digit holding the variant bits
  if (text.size() < kUuidLength + 2) return {};
  size_t sep = text.size() - kUuidLength - 2;
  if (text[sep] != '-' || text[sep + 1] != '-') return {};
  std::string_view type = text.substr(0, sep), uuid = text.substr(sep + 2);
  for (size_t i = 0; i < kUuidLength; ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? uuid[i] != '-' : !IsHexDigit(uuid[i])) return {};
  }
  char v = uuid[kVariant];
  if (!(v == '8' || v == '9' || v == 'a' || v == 'b' || v == 'A' || v == 'B')) return {};
  return stix::IsValidTypeName(type) ? type : std::string_view();
}

bool IsIpv4Cidr(std::string_view text) {
  std::string_view address;
  if (!SplitPrefix(text, 32, address)) return false;
  int parts = 0;
  size_t start = 0;
  while (true) {
    size_t dot = address.find('.', start);
    std::string_view part =
        address.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!SmallNumber(part, 255)) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts == 4;
}

bool IsIpv6Cidr(std::string_view text) {
  std::string_view address;
  if (!SplitPrefix(text, 128, address)) return false;
  constexpr size_t kMaxText = 45;  // INET6_ADDRSTRLEN - 1
  if (address.empty() || address.size() > kMaxText) return false;
  std::array<char, kMaxText + 1> buffer{};
  std::memcpy(buffer.data(), address.data(), address.size());
  std::array<unsigned char, 16> bytes{};
  return inet_pton(AF_INET6, buffer.data(), bytes.data()) == 1;
}

bool IsMacAddress(std::string_view text) {
  constexpr size_t kLength = 17;  // 6 octets, 5 colons
  if (text.size() != kLength) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool ok = i % 3 == 2 ? c == ':' : (IsDigit(c) || (c >= 'a' && c <= 'f'));
    if (!ok) return false;
  }
  return true;
}

}  // namespace kizuna::stix_internal
