// Kizuna. `kizuna index rebuild [--json]` and `kizuna index status [--json]`: the search
// index (docs/search.md). Rebuild drops it and extracts every entry again, in batches each
// committed on its own (writers wait at most one batch), with progress on a terminal and a
// summary at the end; status says whether it is complete and how many rows it holds.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>

#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/store/database.h"

namespace kizuna::cli {
namespace {

int Rebuild(GlobalOptions& global, bool json) {
  auto db = OpenNodeDatabase(global.data_dir);
  if (!db.ok()) return ReportError(db.status());
  const bool tty = StderrIsTerminal();
  auto start = std::chrono::steady_clock::now();
  auto summary = (*db)->RebuildIndex([tty](int64_t done, int64_t total) {
    if (tty) std::fputs(StrCat("\rindexing: ", done, " of ", total, " entries   ").c_str(), stderr);
  });
  if (tty) std::fputs("\n", stderr);
  if (!summary.ok()) return ReportError(summary.status());
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string out =
      json ? StrCat("{\"entries\":", summary->entries, ",\"values\":", summary->values, ",\"ranges\":", summary->ranges,
                    ",\"texts\":", summary->texts, ",\"seconds\":", seconds, "}\n")
           : StrCat("indexed ", summary->entries, " entries: ", summary->values, " values, ", summary->ranges,
                    " address blocks, ", summary->texts, " texts in ", seconds, " s\n");
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

int Status(GlobalOptions& global, bool json) {
  auto db = OpenNodeDatabase(global.data_dir);
  if (!db.ok()) return ReportError(db.status());
  auto state = (*db)->GetIndexState();
  if (!state.ok()) return ReportError(state.status());
  std::string out =
      json ? StrCat("{\"complete\":", state->complete ? "true" : "false", ",\"version\":", state->version,
                    ",\"values\":", state->values, ",\"ranges\":", state->ranges, ",\"texts\":", state->texts, "}\n")
           : StrCat(state->complete ? "complete" : "not complete: run `kizuna index rebuild`", "; ", state->values,
                    " values, ", state->ranges, " address blocks, ", state->texts, " texts\n");
  std::fputs(out.c_str(), stdout);
  return state->complete ? kExitOk : kExitFailure;
}

}  // namespace

void AddIndexCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("index", "Manage the search index");
  cmd->require_subcommand(1);
  auto json = std::make_shared<bool>(false);
  auto* rebuild = cmd->add_subcommand("rebuild", "Drop the search index and index every entry again");
  rebuild->add_flag("--json", *json, "Print the summary as JSON");
  rebuild->callback([&global, json] { global.exit_code = Rebuild(global, *json); });
  auto* status = cmd->add_subcommand("status", "Say whether the search index is complete (exit 1 when not)");
  status->add_flag("--json", *json, "Print the state as JSON");
  status->callback([&global, json] { global.exit_code = Status(global, *json); });
}

}  // namespace kizuna::cli
