// Kizuna. Partner URLs: https:// to any host, plain http:// to this machine only.
#pragma once

// A peer is reached at a base URL, scheme://host[:port]. This node's token for the peer and
// the objects it releases travel over it, so it is https:// unless the peer runs on this
// machine: http:// is accepted only for loopback hosts (127.0.0.0/8, ::1, localhost), as
// `scripts/demo-alliance` uses. The PeerStore checks every URL it stores with ParsePeerUrl,
// and the syncer parses it again before it connects (sync/syncer.h, EndpointOf), so a peer
// stored before the rule is refused too. User information (`user@host`) is refused: it is where a URL
// that looks like a loopback one hides another host.
//
//   KZ_ASSIGN_OR_RETURN(PeerUrl url, ParsePeerUrl("https://usa.example:8443"));
//
// Thread-safety: stateless.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kizuna::store {

struct PeerUrl {
  bool tls = true;
  std::string host;  // a name, an IPv4 address, or an IPv6 address without its brackets
  std::string port;  // decimal, 1-65535; 443 or 80 when the URL names none
};

// Parses `url`: https://host[:port] or, for a loopback host, http://host[:port], optionally
// followed by a path (ignored). Returns InvalidArgument naming the URL and the rule broken.
absl::StatusOr<PeerUrl> ParsePeerUrl(std::string_view url);

// Returns true for "localhost" (any case), an IPv4 address in 127.0.0.0/8 and the IPv6
// address ::1, written as addresses (no other names: they could resolve anywhere).
bool IsLoopbackHost(std::string_view host);

}  // namespace kizuna::store
