// Kizuna. Format checks for STIX string values: binary, hex, hashes, language tags, names,
// IP and MAC addresses.
#pragma once

// Each function looks at one string and allocates nothing. Functions named Is* return true
// when the value has the form; the Check* functions return an empty view when the value is
// fine, and otherwise a short phrase saying what was expected.
//
// Thread-safety: stateless.

#include <string_view>

namespace kizuna::stix_internal {

// RFC 4648 §4 base64 with padding (STIX 2.1 §2.1); the empty string is valid.
bool IsBase64(std::string_view text);

// An even number of lower-case hex digits (STIX 2.1 §2.8); the empty string is valid.
bool IsLowerHex(std::string_view text);

// RFC 5646 syntax: subtags of 1-8 letters or digits joined by '-', the first of 2-8 letters
// (or "i"/"x" for grandfathered and private-use tags).
bool IsLanguageTag(std::string_view text);

// Dictionary key (STIX 2.1 §2.3): 1-250 of a-z A-Z 0-9 '-' '_'.
bool IsDictionaryKey(std::string_view key);

// Hashes key (STIX 2.1 §2.7): 3-250 of a-z A-Z 0-9 '-' '_'.
bool IsHashKey(std::string_view key);

// Returns "" if `value` suits hash algorithm `algorithm` (hex digits of the algorithm's
// length for MD5, SHA-1, SHA-2, SHA-3, RIPEMD-160 and WHIRLPOOL; the TLSH and SSDEEP text
// forms), otherwise what was expected. Algorithms Kizuna does not know accept any non-empty
// string.
std::string_view CheckHashValue(std::string_view algorithm, std::string_view value);

// A property name (STIX 2.1 §3.1): 3-250 of a-z 0-9 '_', starting with a letter.
bool IsPropertyName(std::string_view name);

// A relationship_type (STIX 2.1 §5.1): 3-250 of a-z 0-9 '-'.
bool IsRelationshipType(std::string_view text);

// A custom extension name (STIX 2.1 §11.3.1): 3-250 of a-z 0-9 '-', ending in "-ext".
bool IsCustomExtensionName(std::string_view name);

// Returns the object type of identifier `text` (STIX 2.1 §2.9) if it is well formed: a valid
// type name, "--", and an RFC 4122 UUID (8-4-4-4-12 hex digits, variant bits 10). Returns an
// empty view otherwise; stix::ParseId then says what is wrong. The same rules as ParseId,
// without building a status: this runs for every reference on the import path.
std::string_view IdentifierType(std::string_view text);

// Dotted-quad IPv4 address, no leading zeros, with an optional /0-/32 prefix length.
bool IsIpv4Cidr(std::string_view text);

// IPv6 address (RFC 4291 text form, no zone) with an optional /0-/128 prefix length.
bool IsIpv6Cidr(std::string_view text);

// Colon-delimited lower-case MAC-48 address with leading zeros: 00:00:ab:cd:ef:01.
bool IsMacAddress(std::string_view text);

}  // namespace kizuna::stix_internal
