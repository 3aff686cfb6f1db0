// Kizuna. Who a brief is for: a nation, a community or a user, as one principal and the
// collections it may read.
#pragma once

// A brief shows only what its audience may read (docs/brief.md). The audience is named on
// the command line and resolved against the node's directory:
//   - a nation (ISO 3166-1 alpha-3, "USA"): a principal of that nation, in the communities
//     every organisation of the nation on this node belongs to, reading the collections
//     every one of those organisations may read;
//   - a community (a directory group, "jpn-usa"): a principal of no nation in that community,
//     reading the collections the group, or every member organisation, may read;
//   - a user ("usa-analyst"): exactly that user's principal and the collections it may read.
// A nation's or a community's principal has no organisation, so the creator's-organisation
// rule never applies: it reads what the markings release to every member, never less
// conservatively than any of them.
//
//   KZ_ASSIGN_OR_RETURN(Audience a, ResolveAudience(db, "USA"));
//
// Thread-safety: stateless.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/identity/principal.h"
#include "kizuna/store/database.h"

namespace kizuna::report {

enum class AudienceKind : uint8_t { kNation, kCommunity, kUser };

// "nation", "community" or "user".
std::string_view AudienceKindName(AudienceKind kind);

struct Audience {
  AudienceKind kind = AudienceKind::kNation;
  std::string name;                       // as given: "USA", "jpn-usa", "usa-analyst"
  identity::Principal principal;          // what the policy decides for
  std::vector<store::Collection> collections;  // what it may read, by collection id
};

// Returns the audience `name` names. InvalidArgument when it names no nation with
// organisations on this node, no group and no user; FailedPrecondition for a disabled user.
absl::StatusOr<Audience> ResolveAudience(store::Database& db, std::string_view name);

}  // namespace kizuna::report
