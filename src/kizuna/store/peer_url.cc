// Kizuna.
#include "kizuna/store/peer_url.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "kizuna/base/strings.h"

namespace kizuna::store {
namespace {

constexpr std::string_view kHttps = "https://";
constexpr std::string_view kHttp = "http://";
// The longest host name DNS allows.
constexpr size_t kMaxHostBytes = 253;

absl::Status Malformed(std::string_view url, std::string_view what) {
  return absl::InvalidArgumentError(
      StrCat("peer url '", url, "': ", what,
             " (expected https://host[:port], or http:// to a loopback host)"));
}

bool IsHostChar(char c, bool bracketed) {
  bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.';
  return ok || (bracketed && c == ':');
}

bool IsPort(std::string_view port) {
  if (port.empty() || port.size() > 5) return false;
  int value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return value >= 1 && value <= 65535;
}

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  if (host.size() == 9) {
    std::string lower(host);
    for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (lower == "localhost") return true;
  }
  if (host.size() > 45) return false;  // longer than any address's text
  std::string text(host);
  in_addr v4;
  if (::inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  if (::inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    return std::memcmp(&v6, &in6addr_loopback, sizeof v6) == 0;
  }
  return false;
}

absl::StatusOr<PeerUrl> ParsePeerUrl(std::string_view url) {
  PeerUrl out;
  std::string_view rest = url;
  if (rest.starts_with(kHttps)) {
    rest.remove_prefix(kHttps.size());
  } else if (rest.starts_with(kHttp)) {
    out.tls = false;
    rest.remove_prefix(kHttp.size());
  } else {
    return Malformed(url, "the scheme must be https:// or http://");
  }
  std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.find('@') != std::string_view::npos)
    return Malformed(url, "user information is not allowed");
  std::string_view host = authority, port;
  const bool bracketed = authority.starts_with('[');
  if (bracketed) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos)
      return Malformed(url, "an IPv6 address needs its closing ']'");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':'))
      return Malformed(url, "expected ':port' after ']'");
    if (!after.empty()) port = after.substr(1);
    if (!after.empty() && port.empty()) return Malformed(url, "an empty port");
  } else if (size_t colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) return Malformed(url, "an empty port");
  }
  if (host.empty() || host.size() > kMaxHostBytes)
    return Malformed(url, "no host, or one too long");
  for (char c : host) {
    if (!IsHostChar(c, bracketed))
      return Malformed(url, StrCat("'", host, "' is not a host name or address"));
  }
  if (!port.empty() && !IsPort(port))
    return Malformed(url, StrCat("port '", port, "' is not 1-65535"));
  out.host = std::string(host);
  out.port = port.empty() ? (out.tls ? "443" : "80") : std::string(port);
  if (!out.tls && !IsLoopbackHost(out.host)) {
    return absl::InvalidArgumentError(
        StrCat("peer url '", url,
               "': plain http:// is allowed only to a loopback host (127.0.0.0/8, ::1, ",
               "localhost), not to '", out.host, "': use https://"));
  }
  return out;
}

}  // namespace kizuna::store
