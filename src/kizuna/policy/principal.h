// Kizuna. Who is asking: the principal every access decision is made for.
#pragma once

// A principal is an authenticated user acting for one organisation of one nation, with the
// organisation's sharing communities (groups such as "jpn-usa" or "jpn-usa-kor") and the
// user's roles. Federation adds principals for peer nodes (issue: releasability policy).
// Thread-safety: a value type.

#include <cstdint>
#include <string>
#include <vector>

namespace kizuna::policy {

enum class Role : uint8_t {
  kReader = 1 << 0,     // reads collections its organisation may read
  kPublisher = 1 << 1,  // also writes to collections its organisation may write to
  kOrgAdmin = 1 << 2,   // also manages its organisation's users and tokens
  kNodeAdmin = 1 << 3,  // manages the whole node: every collection, organisation and grant
};

struct Principal {
  std::string user;                 // user name, unique on the node
  std::string organization;         // the organisation's STIX identity id
  std::string nation;               // ISO 3166-1 alpha-3 of the organisation, e.g. "JPN"
  std::vector<std::string> groups;  // sharing communities the organisation belongs to
  uint8_t roles = 0;                // a bit set of Role

  bool Has(Role role) const { return (roles & static_cast<uint8_t>(role)) != 0; }
};

}  // namespace kizuna::policy
