// Kizuna. The teams' nodes as `kizuna exercise run` reaches them: URL, token and CA per team,
// TAXII POST of an envelope to a collection, and every page of a collection read back.
#pragma once

// Tokens come from a file of mode 0600 (`--tokens FILE`: lines "TEAM TOKEN", '#' comments)
// or from the environment (KIZUNA_EXERCISE_TOKEN_<TEAM>, the team id in upper case, '-' as
// '_'); the file wins. A team's URL is the scenario's `node.url` unless `--node TEAM=URL`
// says otherwise; its CA file is `--ca-file TEAM=FILE`, else `--ca-file FILE`, else the
// system's. Tokens are never printed or written to the state folder.
//
// Thread-safety: single-threaded, used by `exercise run` only.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/exercise/scenario.h"
#include "kizuna/sync/taxii_client.h"

namespace kizuna::cli {

struct NodeFlags {
  std::string tokens_file;
  std::vector<std::string> nodes;     // TEAM=URL
  std::vector<std::string> ca_files;  // FILE or TEAM=FILE
};

// A team's node: where it is, its API root and collections by purpose.
class TeamNode {
 public:
  TeamNode(const exercise::Team& team, sync::Endpoint endpoint)
      : team_(team), client_(std::move(endpoint)) {}

  const exercise::Team& team() const { return team_; }
  // The collection alias of `purpose` (injects, shares, sightings), or "" when the scenario
  // gives the team none.
  std::string Collection(const std::string& purpose) const;

  // POSTs `envelope` to collection `alias`. Returns the status resource's JSON text; an error
  // naming the team, the collection and the HTTP status otherwise.
  absl::StatusOr<std::string> Post(const std::string& alias, std::string envelope);
  // Reads every object of collection `alias` (all pages); returns each page's envelope.
  // `endpoint`: "objects" or "manifest" (then each page is a manifest); `filter`: more
  // query parameters, e.g. "match[version]=first".
  absl::StatusOr<std::vector<std::string>> ReadAll(const std::string& alias,
                                                   std::string_view endpoint = "objects",
                                                   std::string_view filter = {});

 private:
  std::string Path(const std::string& alias, std::string_view endpoint = "objects") const;

  const exercise::Team& team_;
  sync::TaxiiClient client_;
};

// A node per team with a node in the scenario (blue teams; white and red ones without a
// node URL are left out). InvalidArgument for a malformed flag, an unknown team, a token
// file others may read, or a team without a token.
absl::StatusOr<std::map<std::string, std::unique_ptr<TeamNode>>> ConnectTeams(
    const exercise::Scenario& scenario, const NodeFlags& flags);

// Splits "TEAM=VALUE" (`flag` names the option in errors).
absl::Status SplitTeamValue(std::string_view flag, const std::string& text, std::string& team,
                            std::string& value);

}  // namespace kizuna::cli
