// Kizuna. `kizuna index rebuild|catch-up|status [--json]`: the search index (docs/search.md).
// Rebuild drops it and extracts every entry again; catch-up indexes the entries behind the
// index's cursor (what `kizuna import` left, or an interrupted rebuild); both work in batches
// each committed on its own (writers wait at most one batch), with progress on a terminal and
// a summary at the end. Status says whether it is complete, how many entries wait and how many
// rows it holds.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>

#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/cli/index_progress.h"
#include "kizuna/store/database.h"

namespace kizuna::cli {
namespace {

int Rebuild(GlobalOptions& global, bool json, bool catch_up) {
  auto db = OpenNodeDatabase(global.data_dir);
  if (!db.ok()) return ReportError(db.status());
  const bool tty = StderrIsTerminal();
  auto start = std::chrono::steady_clock::now();
  auto progress = IndexingProgress(tty);
  auto summary = catch_up ? (*db)->CatchUpIndex(progress) : (*db)->RebuildIndex(progress);
  if (tty) std::fputs("\r\033[K", stderr);
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
  std::string out = json ? StrCat("{\"complete\":", state->complete ? "true" : "false",
                                  ",\"version\":", state->version,
                                  ",\"behind\":", state->behind ? "true" : "false",
                                  ",\"pending\":", state->pending, ",\"values\":", state->values,
                                  ",\"ranges\":", state->ranges, ",\"texts\":", state->texts, "}\n")
                         : StrCat(state->complete ? "complete"
                                  : state->version == 0 || !state->behind
                                      ? "not complete: run `kizuna index rebuild`"
                                      : StrCat("behind: ", state->pending,
                                               " entries wait (`kizuna serve` indexes them, or run "
                                               "`kizuna index catch-up`)"),
                                  "; ", state->values, " values, ", state->ranges,
                                  " address blocks, ", state->texts, " texts\n");
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
  rebuild->callback([&global, json] { global.exit_code = Rebuild(global, *json, false); });
  auto* catch_up = cmd->add_subcommand(
      "catch-up",
      "Index the entries the index is behind (left by `kizuna import`, or an interrupted rebuild)");
  catch_up->add_flag("--json", *json, "Print the summary as JSON");
  catch_up->callback([&global, json] { global.exit_code = Rebuild(global, *json, true); });
  auto* status = cmd->add_subcommand("status", "Say whether the search index is complete (exit 1 when not)");
  status->add_flag("--json", *json, "Print the state as JSON");
  status->callback([&global, json] { global.exit_code = Status(global, *json); });
}

}  // namespace kizuna::cli
