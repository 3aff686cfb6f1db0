// Kizuna. What telemetry fields mean in STIX terms: roles of fields, slots of lookups.
#pragma once

// Two small vocabularies connect telemetry to indicators:
//
//   Role  what a field of a log record is, named by the STIX object path it fills when the
//         record becomes an observation ("network-traffic:dst_ref.value", "domain-name:value",
//         "file:hashes.'SHA-256'", ...). Field maps (field_map.h) assign roles to fields.
//   Slot  a STIX object path the compiled lookup tables index: `ipv4-addr:value`,
//         `domain-name:value`, `file:hashes.MD5`... A simple indicator is a set of
//         (slot, value) keys; a record is a set of (slot, value) probes derived from its roles.
//
// observation_builder.h turns roles into SCOs; matcher.h turns them into probes; both use
// the helpers here, so the fast path and the evaluator see the same values.
//
// Thread-safety: stateless.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kizuna::detect {

enum class Role : uint8_t {
  kNone,
  kTime,        // the event time (epoch seconds or RFC 3339)
  kSrcIp,       // network-traffic:src_ref.value
  kSrcPort,     // network-traffic:src_port
  kDstIp,       // network-traffic:dst_ref.value
  kDstPort,     // network-traffic:dst_port
  kProto,       // network-traffic:protocols[*] (lower-cased)
  kIp,          // ipv4-addr:value or ipv6-addr:value, by the value's form
  kHost,        // ipv4-addr, ipv6-addr or domain-name value, by the value's form
  kDomain,      // domain-name:value
  kUrl,         // url:value
  kHttpHost,    // ...'http-request-ext'.request_header.'Host' (and a domain or address)
  kHttpUri,     // ...'http-request-ext'.request_value
  kHttpMethod,  // ...'http-request-ext'.request_method
  kUserAgent,   // ...'http-request-ext'.request_header.'User-Agent'
  kEmail,       // email-addr:value ("Name <a@b>" and "<a@b>" give a@b)
  kFileName,    // file:name
  kMd5,         // file:hashes.MD5
  kSha1,        // file:hashes.'SHA-1'
  kSha256,      // file:hashes.'SHA-256'
  kSha512,      // file:hashes.'SHA-512'
  kX509Md5,     // x509-certificate:hashes.MD5
  kX509Sha1,    // x509-certificate:hashes.'SHA-1'
  kX509Sha256,  // x509-certificate:hashes.'SHA-256'
  kX509Serial,  // x509-certificate:serial_number
};
inline constexpr int kRoleCount = static_cast<int>(Role::kX509Serial) + 1;

// Returns the role a field-map path names ("domain-name:value", "time", "host", ...), or
// nullopt. Paths are the canonical pattern paths printed by roles' RolePath.
std::optional<Role> RoleFromPath(std::string_view path);
// Returns the path of a role, e.g. "network-traffic:dst_ref.value"; "time" and "host" for
// the two that are not object paths.
std::string_view RolePath(Role role);

enum class Slot : uint8_t {
  kIpv4,         // ipv4-addr:value
  kIpv6,         // ipv6-addr:value
  kDomain,       // domain-name:value
  kUrl,          // url:value
  kEmail,        // email-addr:value
  kFileName,     // file:name
  kFileMd5,      // file:hashes.MD5
  kFileSha1,     // file:hashes.'SHA-1'
  kFileSha256,   // file:hashes.'SHA-256'
  kFileSha512,   // file:hashes.'SHA-512'
  kX509Md5,      // x509-certificate:hashes.MD5
  kX509Sha1,     // x509-certificate:hashes.'SHA-1'
  kX509Sha256,   // x509-certificate:hashes.'SHA-256'
  kX509Serial,   // x509-certificate:serial_number
  kUserAgent,    // network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'
  kHttpRequest,  // network-traffic:extensions.'http-request-ext'.request_value
  kHttpMethod,   // network-traffic:extensions.'http-request-ext'.request_method
  kNetDst,       // network-traffic:dst_ref.value with dst_port, as "value|port"
};
inline constexpr int kSlotCount = static_cast<int>(Slot::kNetDst) + 1;

// Returns the slot of a pattern's object type and path (as printed by pattern::ToString of
// the path without the type, e.g. "hashes.'SHA-256'"), or nullopt when not indexed.
// kNetDst is never returned: the compiler recognises it from an AND of two comparisons.
std::optional<Slot> SlotFromPath(std::string_view type, std::string_view path);
// Returns the STIX path of a slot ("ipv4-addr:value"; kNetDst gives
// "network-traffic:dst_ref.value+dst_port").
std::string_view SlotPath(Slot slot);

// The kind of SCO a kIp / kHost value becomes. kIp: IPv6 when the text has a ':', else
// IPv4. kHost: additionally a domain name unless the text is only digits and dots.
enum class HostKind : uint8_t { kIpv4, kIpv6, kDomain };
HostKind IpKind(std::string_view value);
HostKind HostKindOf(std::string_view value);

// Returns the port of a port field: decimal digits 0..65535 (a fraction ".0" is not
// accepted), else nullopt. Both paths drop a port that does not parse.
std::optional<uint32_t> ParsePort(std::string_view text);

// Returns the address inside "Name <a@b>" or "<a@b>", else the value as is.
std::string_view EmailAddressOf(std::string_view value);

// Returns an HTTP Host header without a trailing ":port" (IPv6 "[::1]:80" gives "::1").
std::string_view HostWithoutPort(std::string_view host);

// A telemetry domain name as the engine compares it: ASCII letters in lower case. DNS names
// are case-insensitive (RFC 4343) and resolvers randomise the case of the names they ask
// (DNS 0x20), as an adversary may: `EVIL.example` in a log is `evil.example`. Indicator
// literals are compared as written, so domain indicators are written in lower case (feeds
// lower theirs, feed.h; detect/README.md). Returns `name` when it has no capital, else its
// lowered copy in `out`.
std::string_view LowerDomain(std::string_view name, std::string& out);

// The url:value of an HTTP request when the record has no URL field: the request target
// itself when absolute ("http://..."), else "http://" + Host header + target. Empty when
// either part is missing. `out` receives the text; the result views it.
std::string_view ComposeUrl(std::string_view host, std::string_view target, std::string& out);

}  // namespace kizuna::detect
