// Kizuna. `kizuna store copy --to postgresql://... [--from sqlite:PATH] [--json]`: a node's
// SQLite database copied into PostgreSQL without loss (store/postgres/copy_from_sqlite.h), with
// progress on a terminal and a summary at the end.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "kizuna/base/clock.h"
#include "kizuna/base/json_string.h"
#include "kizuna/base/redact.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/search/extract.h"
#include "kizuna/store/data_dir.h"
#include "kizuna/store/peer_tokens.h"
#include "kizuna/store/postgres/copy_from_sqlite.h"
#include "kizuna/store/postgres/pg_store.h"

namespace kizuna::cli {
namespace {

struct CopyFlags {
  std::string from;  // sqlite:PATH (a file or a data directory); default: the data directory's
  std::string to;    // postgresql://...
  bool json = false;
};

absl::StatusOr<std::string> SourceFile(const GlobalOptions& global, const std::string& from) {
  std::string path = global.data_dir;
  if (!from.empty()) {
    if (!from.starts_with("sqlite:")) {
      return absl::InvalidArgumentError(
          StrCat("--from '", from, "': give sqlite:PATH (a database file or a data directory)"));
    }
    path = from.substr(7);
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    path = store::DataDirFile(path, store::kDatabaseFile);
  if (!std::filesystem::is_regular_file(path, ec)) {
    return absl::NotFoundError(StrCat("no SQLite database at '", path, "'"));
  }
  return path;
}

absl::StatusOr<store::RebuildSummary> RebuildIndex(const std::string& url, bool tty) {
  KZ_ASSIGN_OR_RETURN(std::unique_ptr<store::PgStore> target,
                      store::PgStore::Open(url, SystemClock()));
  target->SetIndexer(std::make_shared<search::Extractor>());
  absl::StatusOr<store::RebuildSummary> summary =
      target->RebuildIndex([tty](int64_t done, int64_t total) {
        if (tty)
          std::fputs(StrCat("\rindexing: ", done, " of ", total, " entries   ").c_str(), stderr);
      });
  if (tty) std::fputs("\n", stderr);
  return summary;
}

int Copy(const GlobalOptions& global, const CopyFlags& flags) {
  if (!flags.to.starts_with("postgresql://") && !flags.to.starts_with("postgres://")) {
    return ReportError(absl::InvalidArgumentError("--to: give a postgresql:// URL"));
  }
  absl::StatusOr<std::string> source = SourceFile(global, flags.from);
  if (!source.ok()) return ReportError(source.status());
  // The node's peer key (a node that never had a peer has none yet) is made now, in the data
  // directory the node moves from: every process of the node on PostgreSQL takes a copy of that
  // directory, and none makes a key of its own.
  const std::string dir = std::filesystem::path(*source).parent_path().string();
  if (absl::Status key =
          store::TokenSealer::LoadOrCreate(store::DataDirFile(dir, store::kPeerTokenKeyFile))
              .status();
      !key.ok()) {
    return ReportError(key);
  }
  const bool tty = StderrIsTerminal();
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<store::CopySummary> summary =
      store::CopySqliteToPostgres(*source, flags.to, [tty](std::string_view table, int64_t rows) {
        if (tty)
          std::fputs(StrCat("\rcopying ", table, ": ", rows, " rows          ").c_str(), stderr);
      });
  if (tty) std::fputs("\n", stderr);
  if (!summary.ok()) return ReportError(summary.status());
  // The search index is not copied (SQLite's FTS5 keeps no text): PostgreSQL's is built now.
  absl::StatusOr<store::RebuildSummary> indexed = RebuildIndex(flags.to, tty);
  if (!indexed.ok())
    return ReportError(
        Annotate(indexed.status(),
                 "copied, but the search index was not built (run `kizuna index rebuild`): "));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string out;
  if (flags.json) {
    StrAppend(out, "{\"from\":", JsonString(*source), ",\"to\":", JsonString(RedactUrl(flags.to)),
              ",\"rows\":", summary->rows, ",\"entries\":", summary->entries,
              ",\"entry_bytes\":", summary->entry_bytes, ",\"entries_sha256\":\"",
              summary->entries_sha256, "\",\"indexed_values\":", indexed->values,
              ",\"indexed_texts\":", indexed->texts, ",\"seconds\":", seconds, ",\"tables\":{");
    for (size_t i = 0; i < summary->tables.size(); ++i) {
      StrAppend(out, i ? "," : "", JsonString(summary->tables[i].name), ":",
                summary->tables[i].rows);
    }
    StrAppend(out, "},\"left_out\":[");
    for (size_t i = 0; i < summary->left_out.size(); ++i)
      StrAppend(out, i ? "," : "", JsonString(summary->left_out[i]));
    StrAppend(out, "]}\n");
  } else {
    StrAppend(out, "copied ", summary->rows, " rows of ", summary->tables.size(), " tables (",
              summary->entries, " object versions, checked read back) in ", seconds, " s\n");
    for (const store::CopiedTable& t : summary->tables)
      StrAppend(out, "  ", t.name, ": ", t.rows, "\n");
    StrAppend(out, "left out: ", summary->left_out.size(),
              " tables of the SQLite store's own lookups and search index;",
              " PostgreSQL's search index built: ", indexed->values, " values, ", indexed->texts,
              " texts\n");
  }
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

}  // namespace

void AddStoreCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("store", "Move a node's database between engines");
  cmd->require_subcommand(1);
  auto flags = std::make_shared<CopyFlags>();
  auto* copy = cmd->add_subcommand(
      "copy",
      "Copy a node's SQLite database into an empty PostgreSQL database, checked read back; "
      "keep the data directory's key files for the node that runs on it");
  copy->add_option("--from", flags->from,
                   "sqlite:PATH, a database file or data directory (default: --data-dir)");
  copy->add_option("--to", flags->to,
                   "postgresql://... (a password is better kept in ~/.pgpass than in the URL)")
      ->required();
  copy->add_flag("--json", flags->json, "Print the summary as JSON");
  copy->callback([&global, flags] { global.exit_code = Copy(global, *flags); });
}

}  // namespace kizuna::cli
