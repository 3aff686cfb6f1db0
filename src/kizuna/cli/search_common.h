// Kizuna. What `kizuna search`, `kizuna observable` and `kizuna related` share: the node's
// database with its index (caught up first when an import left it behind), the principal
// they answer for (--as USER, else the operator), the searcher with the node's warninglists,
// and printing an answer.
#pragma once

// Thread-safety: single-threaded, used only by the commands.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "kizuna/cli/command.h"
#include "kizuna/detect/allowlist.h"
#include "kizuna/identity/principal.h"
#include "kizuna/policy/policy.h"
#include "kizuna/search/searcher.h"
#include "kizuna/store/database.h"
#include "kizuna/taxii/auth/grant_access_control.h"

namespace kizuna::cli {

struct SearchFlags {
  std::string as_user;
  bool json = false;
  size_t limit = 50;
};

// Adds --as, --json and --limit to `cmd`.
void AddSearchFlags(CLI::App& cmd, SearchFlags& flags);

struct SearchSession {
  std::unique_ptr<store::Database> db;
  std::unique_ptr<policy::Policy> policy;
  std::unique_ptr<taxii::GrantAccessControl> access;
  detect::Allowlist warninglists;
  std::unique_ptr<search::Searcher> searcher;
  identity::Principal principal;
};

// Opens the node's database and builds the searcher for the principal the flags name.
absl::StatusOr<std::unique_ptr<SearchSession>> OpenSearch(const GlobalOptions& global, const SearchFlags& flags);

// Prints an answer: JSON (one line) or a listing for people; a note on stderr when the index
// is stale. Returns the exit code.
int PrintAnswer(const search::Answer& answer, const std::string& json, bool as_json);

}  // namespace kizuna::cli
