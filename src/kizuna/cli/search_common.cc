// Kizuna.
#include "kizuna/cli/search_common.h"

#include <CLI/CLI.hpp>
#include <cstdio>

#include "kizuna/base/clock.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/index_progress.h"
#include "kizuna/node/warninglists.h"
#include "kizuna/taxii/auth/grant_access_control.h"

namespace kizuna::cli {
void AddSearchFlags(CLI::App& cmd, SearchFlags& flags) {
  cmd.add_option("--as", flags.as_user,
                 "Answer as this user: only what the releasability policy releases to it (docs/policy.md)");
  cmd.add_flag("--json", flags.json, "Print the answer as one JSON object (docs/search.md)");
  cmd.add_option("--limit", flags.limit, "Most results (1-1000; default 50)")->check(CLI::Range(1, 1000));
}

namespace {

// The entries a `kizuna import` left behind the index's cursor are indexed before a local
// question is answered (a node catches up in the background; here nobody else may): import
// then search finds what was imported. A failed catch-up leaves the answer incomplete, said.
void CatchUpBeforeAsking(store::Database& db) {
  absl::StatusOr<store::IndexHead> head = db.GetIndexHead();
  if (!head.ok() || !head->behind) return;
  const bool tty = StderrIsTerminal();
  absl::StatusOr<store::RebuildSummary> done = db.CatchUpIndex(IndexingProgress(tty));
  if (tty) std::fputs("\r\033[K", stderr);
  if (!done.ok())
    std::fputs(
        StrCat("kizuna: the search index could not catch up: ", done.status().message(), "\n")
            .c_str(),
        stderr);
}

}  // namespace

absl::StatusOr<std::unique_ptr<SearchSession>> OpenSearch(const GlobalOptions& global, const SearchFlags& flags) {
  auto session = std::make_unique<SearchSession>();
  KZ_ASSIGN_OR_RETURN(session->db, OpenNodeDatabase(global.data_dir));
  CatchUpBeforeAsking(*session->db);
  session->principal = identity::OperatorPrincipal();
  if (!flags.as_user.empty()) {
    KZ_ASSIGN_OR_RETURN(session->principal, policy::PrincipalForUser(*session->db, flags.as_user));
  }
  session->policy = std::make_unique<policy::Policy>(*session->db, session->db.get(), SystemClock());
  KZ_RETURN_IF_ERROR(node::LoadStoredWarninglists(global.data_dir, session->warninglists));
  search::Searcher::ListedFn listed = node::ListedIn(session->warninglists);
  session->access = std::make_unique<taxii::GrantAccessControl>(*session->db, SystemClock());
  taxii::GrantAccessControl* access = session->access.get();
  search::Searcher::MayReadFn may_read = [access](const identity::Principal& p,
                                                  const store::Collection& c) -> absl::StatusOr<bool> {
    if (p.node_operator) return true;  // the operator reads the node's own database anyway
    KZ_ASSIGN_OR_RETURN(taxii::CollectionAccess can, access->Access(p, c.id));
    return can.can_read;
  };
  session->searcher = std::make_unique<search::Searcher>(*session->db, *session->db, *session->policy,
                                                         session->db.get(), SystemClock(), std::move(may_read),
                                                         std::move(listed));
  return session;
}

int PrintAnswer(const search::Answer& answer, const std::string& json, bool as_json) {
  if (!answer.index_complete) {
    std::fputs("kizuna: the search index is not complete (`kizuna index status` says why)\n",
               stderr);
  }
  std::string out;
  if (as_json) {
    out = json + "\n";
  } else {
    for (const search::Result& r : answer.results) {
      StrAppend(out, r.object.id, r.name.empty() ? "" : StrCat("  ", r.name), r.common_only ? "  [common]" : "", "\n");
      for (const search::Reason& why : r.reasons) {
        StrAppend(out, "    ", why.relation);
        if (!why.relationship_type.empty()) StrAppend(out, " ", why.relationship_type);
        if (!why.path.empty()) StrAppend(out, " ", why.path);
        if (!why.value.empty() && why.relation != "text") StrAppend(out, " ", why.value);
        if (!why.via.empty()) StrAppend(out, " via ", why.via);
        if (why.common) out += " (common)";
        out += "\n";
      }
    }
    StrAppend(out, answer.results.size(), answer.results.size() == 1 ? " result" : " results",
              answer.more ? " (more: raise --limit or narrow the query)" : "", "\n");
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
}

}  // namespace kizuna::cli
