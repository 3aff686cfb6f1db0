// Kizuna. Who is asking: the principal every access decision is made for.
#pragma once

// A principal is an authenticated user acting for one organisation of one nation, with the
// organisation's sharing communities (groups such as "jpn-usa" or "jpn-usa-kor") and the
// user's roles. Federation adds peer nodes: a partner node that reads from us authenticates
// as a user of its nation's organisation with the `peer` role, and when this node pushes to
// a partner it decides for a principal built from the peer's configuration (nation,
// communities, organisation). Reads by a peer are onward sharing, and policy::Decide treats
// them so (TLP:AMBER received from elsewhere and TLP:RED are never forwarded).
// Thread-safety: a value type.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kizuna::identity {

enum class Role : uint8_t {
  kReader = 1 << 0,     // reads collections its organisation may read
  kPublisher = 1 << 1,  // also writes to collections its organisation may write to
  kOrgAdmin = 1 << 2,   // also manages its organisation's users and tokens
  kNodeAdmin = 1 << 3,  // manages the whole node: every collection, organisation and grant
  kPeer = 1 << 4,       // a partner node: reads and writes as granted, as onward sharing
};

// What kind of party a principal is, for the policy decision.
enum class PrincipalKind : uint8_t {
  kUser,      // a person or tool with a token, reading on this node
  kPeer,      // another node: data it receives leaves this node (onward sharing)
  kOperator,  // the node's operator on the command line with the data directory (`kizuna
              // export --all`): whoever holds the database file reads it anyway
};

struct Principal {
  std::string user;                 // user name, unique on the node; for a push, "peer:<name>"
  std::string organization;         // the organisation's STIX identity id (may be empty for a peer)
  std::string nation;               // ISO 3166-1 alpha-3 of the organisation, e.g. "JPN"
  std::vector<std::string> groups;  // sharing communities the organisation belongs to
  uint8_t roles = 0;                // a bit set of Role
  bool node_operator = false;       // see PrincipalKind::kOperator

  bool Has(Role role) const { return (roles & static_cast<uint8_t>(role)) != 0; }
  PrincipalKind Kind() const {
    if (node_operator) return PrincipalKind::kOperator;
    return Has(Role::kPeer) ? PrincipalKind::kPeer : PrincipalKind::kUser;
  }
};

// The principals Kizuna decides for, each built here and nowhere else.

// A user of this node (from the directory's user, organisation and groups).
Principal UserPrincipal(std::string user, std::string organization, std::string nation,
                        std::vector<std::string> groups, uint8_t roles);

// A partner node `peer_name` that this node sends to: a principal of kind kPeer, named
// "peer:<name>", of the peer's organisation (may be empty), nation and communities.
Principal PeerPrincipal(std::string_view peer_name, std::string organization, std::string nation,
                        std::vector<std::string> communities);

// The node's operator on the command line (`kizuna export` without --as).
Principal OperatorPrincipal();

}  // namespace kizuna::identity
