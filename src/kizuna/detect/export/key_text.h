// Kizuna. The text of lookup keys as sensors spell them.
#pragma once

// Thread-safety: stateless.

#include <optional>
#include <string>
#include <string_view>

#include "kizuna/detect/classify.h"

namespace kizuna::detect {

// Returns a block in its usual text, host bits cleared: "192.0.2.0/24", "2001:db8::/32".
std::string FormatBlock(const IpBlock& block);
// Returns the canonical text of an IPv6 address (RFC 5952), or nullopt if `text` is not one.
std::optional<std::string> CanonicalIpv6(std::string_view text);
// Returns the address of an IPv4 or IPv6 key as text, or nullopt for other keys (and for an
// ipv6-addr value that is not an address).
std::optional<std::string> AddressOf(const SimpleKey& key);
// Returns the name lower-cased, without a trailing dot, when it is a DNS name of at most
// `max_bytes` bytes: labels of 1 to 63 letters, digits, '-' or '_'; else nullopt.
std::optional<std::string> DnsName(std::string_view text, size_t max_bytes = 253);
// Returns the kind of a key in words: "ipv4", "ipv6", "cidr", "domain", "domain-suffix",
// "url", "email", "md5", "sha1", "sha256", "sha512", "file-name", "x509-md5", "x509-sha1",
// "x509-sha256", "x509-serial", "user-agent", "http-request", "http-method",
// "address-port".
std::string_view KeyKind(const SimpleKey& key);
// Returns the value of a key as text: the address, the block, the suffix (without "%."),
// "address:port" ("[v6]:port"), else the key's text.
std::string KeyValue(const SimpleKey& key);

}  // namespace kizuna::detect
