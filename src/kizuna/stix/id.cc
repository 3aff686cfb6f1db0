// Kizuna.
#include "kizuna/stix/id.h"

#include <array>
#include <cstdint>

#include "kizuna/base/strings.h"
#include "kizuna/base/assert.h"
#include "kizuna/base/digest.h"

namespace kizuna::stix {
namespace {

constexpr size_t kUuidLength = 36;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsDash(size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

std::string FormatUuid(const std::array<uint8_t, 16>& b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(kUuidLength);
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 15];
  }
  return out;
}

bool ParseUuidBytes(std::string_view text, std::array<uint8_t, 16>& out) {
  if (text.size() != kUuidLength) return false;
  size_t n = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (IsDash(i)) {
      if (text[i] != '-') return false;
      continue;
    }
    int hi = HexValue(text[i]);
    int lo = i + 1 < text.size() ? HexValue(text[i + 1]) : -1;
    if (hi < 0 || lo < 0 || IsDash(i + 1)) return false;
    out[n++] = static_cast<uint8_t>(hi << 4 | lo);
    ++i;
  }
  return n == 16;
}

}  // namespace

bool IsValidTypeName(std::string_view type) {
  if (type.size() < 3 || type.size() > 250) return false;
  if (type[0] < 'a' || type[0] > 'z') return false;
  for (size_t i = 0; i < type.size(); ++i) {
    char c = type[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
    if (c == '-' && i + 1 < type.size() && type[i + 1] == '-') return false;
  }
  return type.back() != '-';
}

bool IsValidPropertyName(std::string_view name) {
  if (name.size() < 3 || name.size() > 250) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

absl::StatusOr<StixId> ParseId(std::string_view text) {
  size_t sep = text.find("--");
  if (sep == std::string_view::npos) {
    return absl::InvalidArgumentError(
        StrCat("'", text.substr(0, 300), "' is not an identifier: expected object-type--UUID"));
  }
  StixId id{text.substr(0, sep), text.substr(sep + 2)};
  if (!IsValidTypeName(id.type)) {
    return absl::InvalidArgumentError(StrCat("identifier '", text.substr(0, 300),
                                                   "' has an invalid object type '", id.type, "'"));
  }
  std::array<uint8_t, 16> bytes;
  if (!ParseUuidBytes(id.uuid, bytes)) {
    return absl::InvalidArgumentError(
        StrCat("identifier '", text.substr(0, 300), "' does not end in a UUID (8-4-4-4-12 hex)"));
  }
  if ((bytes[8] & 0xc0) != 0x80) {
    return absl::InvalidArgumentError(
        StrCat("identifier '", text, "' does not hold an RFC 4122 UUID (wrong variant bits)"));
  }
  return id;
}

std::string NewUuidV4(Random& random) {
  std::array<uint8_t, 16> b;
  random.Fill(b);
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);
  return FormatUuid(b);
}

std::string UuidV5(std::string_view namespace_uuid, std::string_view name) {
  std::array<uint8_t, 16> ns;
  KZ_CHECK(ParseUuidBytes(namespace_uuid, ns));
  Sha1Digest digest =
      Sha1(std::string_view(reinterpret_cast<const char*>(ns.data()), ns.size()), name);
  std::array<uint8_t, 16> b;
  std::copy_n(digest.begin(), 16, b.begin());
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x50);
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);
  return FormatUuid(b);
}

char UuidVersion(std::string_view id) {
  size_t sep = id.find("--");
  if (sep == std::string_view::npos || id.size() < sep + 2 + 15) return 0;
  return id[sep + 2 + 14];
}

std::string NewId(std::string_view type, Random& random) {
  return StrCat(type, "--", NewUuidV4(random));
}

}  // namespace kizuna::stix
