// Kizuna. Organisations shared between nodes: the STIX identity one node exports, recorded at a
// partner under the same identity id.
#pragma once

// `kizuna admin org export ORG` prints an organisation's identity object; the partner's
// operator runs `kizuna admin org import FILE --nation NAT`, and from then on objects whose
// created_by_ref is that id are attributed to that organisation there: the policy knows
// their creator's nation (default release "creator-nation") and `kizuna provenance` names it.
// The nation is the one the importing operator records, never only what the file claims: a
// file whose `x_kizuna_nation` says another nation is refused, and so is an id the node already
// holds with another nation (audited, "org.import.refused"), so a partner cannot make its
// objects pass for another nation's. docs/federation.md, "Organisations across nodes".
// Thread-safety: as the Directory.

#include <cstddef>
#include <string_view>

#include "absl/status/statusor.h"
#include "kizuna/store/directory.h"

namespace kizuna::store {

// Largest identity object an import reads, in bytes.
inline constexpr size_t kMaxIdentityJsonBytes = 64 * 1024;

struct OrgImport {
  std::string_view identity_json;  // the partner's identity object, as exported
  std::string_view nation;         // ISO 3166-1 alpha-3, recorded by the importing operator
  std::string_view name;           // the local name; empty: the identity's `name`
};

struct OrgImported {
  Organization org;
  bool added = false;  // false: the node already held this id with this nation
};

// Records the organisation of `request` (audited as "org.create", then "org.import"), or
// returns the one already
// held under its id when that has the same nation. InvalidArgument (naming the property) for
// an object that is not an identity of class organization with an identity--UUID id and a
// name, or whose x_kizuna_nation differs from `request.nation`; FailedPrecondition, audited,
// when the id is already an organisation of another nation; AlreadyExists when the name is
// taken by another organisation.
absl::StatusOr<OrgImported> ImportOrganization(Directory& directory, std::string_view actor,
                                               const OrgImport& request);

}  // namespace kizuna::store
