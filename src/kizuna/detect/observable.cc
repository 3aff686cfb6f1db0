// Kizuna.
#include "kizuna/detect/observable.h"

#include <array>

namespace kizuna::detect {
namespace {

constexpr std::string_view kHttp = "network-traffic:extensions.'http-request-ext'.";

struct RoleName {
  Role role;
  std::string_view path;
};
constexpr std::array<RoleName, kRoleCount - 1> kRoles = {{
    {Role::kTime, "time"},
    {Role::kSrcIp, "network-traffic:src_ref.value"},
    {Role::kSrcPort, "network-traffic:src_port"},
    {Role::kDstIp, "network-traffic:dst_ref.value"},
    {Role::kDstPort, "network-traffic:dst_port"},
    {Role::kProto, "network-traffic:protocols[*]"},
    {Role::kIp, "ipv4-addr:value"},
    {Role::kHost, "host"},
    {Role::kDomain, "domain-name:value"},
    {Role::kUrl, "url:value"},
    {Role::kHttpHost, "network-traffic:extensions.'http-request-ext'.request_header.Host"},
    {Role::kHttpUri, "network-traffic:extensions.'http-request-ext'.request_value"},
    {Role::kHttpMethod, "network-traffic:extensions.'http-request-ext'.request_method"},
    {Role::kUserAgent, "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'"},
    {Role::kEmail, "email-addr:value"},
    {Role::kFileName, "file:name"},
    {Role::kMd5, "file:hashes.MD5"},
    {Role::kSha1, "file:hashes.'SHA-1'"},
    {Role::kSha256, "file:hashes.'SHA-256'"},
    {Role::kSha512, "file:hashes.'SHA-512'"},
    {Role::kX509Md5, "x509-certificate:hashes.MD5"},
    {Role::kX509Sha1, "x509-certificate:hashes.'SHA-1'"},
    {Role::kX509Sha256, "x509-certificate:hashes.'SHA-256'"},
    {Role::kX509Serial, "x509-certificate:serial_number"},
}};

struct SlotName {
  Slot slot;
  std::string_view type;
  std::string_view path;
};
constexpr std::array<SlotName, kSlotCount - 1> kSlots = {{
    {Slot::kIpv4, "ipv4-addr", "value"},
    {Slot::kIpv6, "ipv6-addr", "value"},
    {Slot::kDomain, "domain-name", "value"},
    {Slot::kUrl, "url", "value"},
    {Slot::kEmail, "email-addr", "value"},
    {Slot::kFileName, "file", "name"},
    {Slot::kFileMd5, "file", "hashes.MD5"},
    {Slot::kFileSha1, "file", "hashes.'SHA-1'"},
    {Slot::kFileSha256, "file", "hashes.'SHA-256'"},
    {Slot::kFileSha512, "file", "hashes.'SHA-512'"},
    {Slot::kX509Md5, "x509-certificate", "hashes.MD5"},
    {Slot::kX509Sha1, "x509-certificate", "hashes.'SHA-1'"},
    {Slot::kX509Sha256, "x509-certificate", "hashes.'SHA-256'"},
    {Slot::kX509Serial, "x509-certificate", "serial_number"},
    {Slot::kUserAgent, "network-traffic", "extensions.'http-request-ext'.request_header.'User-Agent'"},
    {Slot::kHttpRequest, "network-traffic", "extensions.'http-request-ext'.request_value"},
    {Slot::kHttpMethod, "network-traffic", "extensions.'http-request-ext'.request_method"},
}};

constexpr std::string_view kSlotPaths[kSlotCount] = {
    "ipv4-addr:value",
    "ipv6-addr:value",
    "domain-name:value",
    "url:value",
    "email-addr:value",
    "file:name",
    "file:hashes.MD5",
    "file:hashes.'SHA-1'",
    "file:hashes.'SHA-256'",
    "file:hashes.'SHA-512'",
    "x509-certificate:hashes.MD5",
    "x509-certificate:hashes.'SHA-1'",
    "x509-certificate:hashes.'SHA-256'",
    "x509-certificate:serial_number",
    "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'",
    "network-traffic:extensions.'http-request-ext'.request_value",
    "network-traffic:extensions.'http-request-ext'.request_method",
    "network-traffic:dst_ref.value+dst_port",
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::optional<Role> RoleFromPath(std::string_view path) {
  if (path == "ipv6-addr:value" || path == "ip") return Role::kIp;
  if (path == "network-traffic:protocols") return Role::kProto;
  for (const RoleName& r : kRoles) {
    if (r.path == path) return r.role;
  }
  // The Host header may be written quoted, as pattern paths allow.
  if (path.starts_with(kHttp) && path.substr(kHttp.size()) == "request_header.'Host'") {
    return Role::kHttpHost;
  }
  return std::nullopt;
}

std::string_view RolePath(Role role) {
  for (const RoleName& r : kRoles) {
    if (r.role == role) return r.path;
  }
  return "none";
}

std::optional<Slot> SlotFromPath(std::string_view type, std::string_view path) {
  for (const SlotName& s : kSlots) {
    if (s.type == type && s.path == path) return s.slot;
  }
  return std::nullopt;
}

std::string_view SlotPath(Slot slot) { return kSlotPaths[static_cast<int>(slot)]; }

HostKind IpKind(std::string_view value) {
  return value.find(':') != std::string_view::npos ? HostKind::kIpv6 : HostKind::kIpv4;
}

HostKind HostKindOf(std::string_view value) {
  if (value.find(':') != std::string_view::npos) return HostKind::kIpv6;
  if (value.empty()) return HostKind::kDomain;
  for (char c : value) {
    if (!IsDigit(c) && c != '.') return HostKind::kDomain;
  }
  return HostKind::kIpv4;
}

std::optional<uint32_t> ParsePort(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  uint32_t v = 0;
  for (char c : text) {
    if (!IsDigit(c)) return std::nullopt;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  if (v > 65535) return std::nullopt;
  return v;
}

std::string_view EmailAddressOf(std::string_view value) {
  const size_t open = value.rfind('<');
  if (open == std::string_view::npos) return value;
  const size_t close = value.find('>', open);
  if (close == std::string_view::npos) return value;
  return value.substr(open + 1, close - open - 1);
}

std::string_view LowerDomain(std::string_view name, std::string& out) {
  size_t i = 0;
  while (i < name.size() && !(name[i] >= 'A' && name[i] <= 'Z')) ++i;
  if (i == name.size()) return name;
  out.assign(name);
  for (; i < out.size(); ++i) {
    if (out[i] >= 'A' && out[i] <= 'Z') out[i] = static_cast<char>(out[i] - 'A' + 'a');
  }
  return out;
}

std::string_view HostWithoutPort(std::string_view host) {
  if (host.starts_with('[')) {
    const size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(1, close - 1);
  }
  const size_t colon = host.rfind(':');
  if (colon == std::string_view::npos || host.find(':') != colon) return host;  // bare IPv6
  for (char c : host.substr(colon + 1)) {
    if (!IsDigit(c)) return host;
  }
  return host.substr(0, colon);
}

std::string_view ComposeUrl(std::string_view host, std::string_view target, std::string& out) {
  if (target.empty()) return {};
  if (target.starts_with("http://") || target.starts_with("https://")) return target;
  if (host.empty()) return {};
  out.assign("http://");
  out.append(host);
  out.append(target);
  return out;
}

}  // namespace kizuna::detect
