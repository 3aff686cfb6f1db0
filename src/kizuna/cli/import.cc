// Kizuna. `kizuna import FILE... --collection NAME`: add STIX documents to a collection.
#include <CLI/CLI.hpp>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <sys/stat.h>

#include "kizuna/base/clock.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/base/file.h"
#include "kizuna/ingest/feed.h"
#include "kizuna/detect/readers/reader.h"
#include "kizuna/ingest/importer.h"
#include "kizuna/store/open.h"

namespace kizuna::cli {
namespace {

struct ImportFlags {
  std::vector<std::string> files;
  std::string collection;
  std::string format = "auto";
  std::string organization;
  bool json = false;
  bool log_commits = false;
  size_t batch = limits::kImportBatchObjects;
};

absl::StatusOr<stix::DocumentFormat> ParseFormat(std::string_view name) {
  for (auto f : {stix::DocumentFormat::kAuto, stix::DocumentFormat::kBundle, stix::DocumentFormat::kEnvelope,
                 stix::DocumentFormat::kList, stix::DocumentFormat::kJsonLines, stix::DocumentFormat::kObject}) {
    if (stix::DocumentFormatName(f) == name) return f;
  }
  return absl::InvalidArgumentError(StrCat("unknown format '", name, "'"));
}

boost::json::object SummaryJson(const ingest::ImportSummary& s, double seconds) {
  boost::json::array rejections;
  for (const auto& r : s.rejections) {
    rejections.push_back({{"where", r.where}, {"id", r.id}, {"reason", r.reason}});
  }
  return {{"files", s.files},
          {"bytes", s.bytes},
          {"read", s.read},
          {"added", s.added},
          {"already_present", s.already_present},
          {"rejected", s.rejected},
          {"rejections", rejections},
          {"seconds", seconds},
          {"objects_per_second", seconds > 0 ? s.read / seconds : 0.0}};
}

void PrintHumanSummary(const ingest::ImportSummary& s, double seconds) {
  std::string text;
  for (const auto& r : s.rejections) {
    StrAppend(text, "rejected ", r.where, r.id.empty() ? "" : " ", r.id, ": ", r.reason, "\n");
  }
  if (s.rejected > static_cast<int64_t>(s.rejections.size())) {
    StrAppend(text, "... and ", s.rejected - static_cast<int64_t>(s.rejections.size()), " more rejected\n");
  }
  StrAppend(text, "read ", s.read, " objects from ", s.files, " file(s) in ", fmt::format("{:.2f}", seconds),
            " s: ", s.added, " added, ", s.already_present, " already present, ", s.rejected, " rejected\n");
  std::fputs(text.c_str(), stderr);
}

// The importing organisation's identity for created_by_ref: the one named, else the only
// organisation of the node, else none.
absl::StatusOr<std::string> ImporterIdentity(const std::string& data_dir, const std::string& name) {
  auto db = OpenNodeDatabase(data_dir);
  if (!db.ok()) return db.status();
  if (!name.empty()) {
    auto org = (*db)->FindOrganization(name);
    if (!org.ok()) return org.status();
    return org->id;
  }
  auto orgs = (*db)->ListOrganizations();
  if (!orgs.ok()) return orgs.status();
  return orgs->size() == 1 ? (*orgs)[0].id : std::string();
}

// `kizuna import --format lines|csv`: plain indicator lists become STIX indicators
// (ingest/feed.h); values no pattern fits are rejections of the import.
absl::Status ImportFeed(ingest::Importer& importer, const std::string& path, const ImportFlags& flags,
                        const std::string& identity, int64_t& skipped) {
  auto text = ReadFile(path, limits::kMaxDocumentBytes);
  if (!text.ok()) return text.status();
  detect::FeedOptions options;
  options.format = flags.format == "csv" ? detect::FeedFormat::kCsv : detect::FeedFormat::kLines;
  options.family = detect::LogTypeFromPath(path);
  options.origin = path;
  options.created_by_ref = identity;
  struct stat info {};
  options.time_us = path != "-" && stat(path.c_str(), &info) == 0
                        ? static_cast<int64_t>(info.st_mtime) * 1000000
                        : 0;
  detect::FeedResult feed;
  KZ_RETURN_IF_ERROR(ingest::ImportFeed(importer, path, std::string_view(text->data(), text->size()), options, &feed));
  skipped += feed.skipped;
  return absl::OkStatus();
}

int Run(GlobalOptions& global, const ImportFlags& flags) {
  const bool feed = flags.format == "lines" || flags.format == "csv";
  std::string identity;
  if (feed) {
    auto id = ImporterIdentity(global.data_dir, flags.organization);
    if (!id.ok()) return ReportError(id.status());
    identity = *id;
  }
  auto format = feed ? absl::StatusOr<stix::DocumentFormat>(stix::DocumentFormat::kJsonLines)
                     : ParseFormat(flags.format);
  if (!format.ok()) return ReportError(format.status());
  auto store = OpenNodeDatabase(global.data_dir);
  if (!store.ok()) return ReportError(store.status());
  auto collection = (*store)->FindCollection("", flags.collection);
  if (!collection.ok()) return ReportError(collection.status());

  auto start = std::chrono::steady_clock::now();
  auto elapsed = [start] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  ingest::ImportOptions options;
  options.format = *format;
  options.batch_objects = flags.batch;
  bool terminal = StderrIsTerminal();
  if (terminal) {
    options.on_progress = [&](const ingest::ImportSummary& s) {
      double t = elapsed();
      std::string line = StrCat("\r", s.read, " objects read, ", s.added, " added (",
                                static_cast<int64_t>(t > 0 ? s.read / t : 0), "/s)   ");
      std::fputs(line.c_str(), stderr);
    };
  }
  if (flags.log_commits) {
    options.on_commit = [](const ingest::CommittedBatch& b) {
      boost::json::object line{{"committed", b.objects}, {"total", b.total_committed}, {"last_id", b.last_id}};
      std::string text = boost::json::serialize(line) + "\n";
      std::fputs(text.c_str(), stderr);
      std::fflush(stderr);
    };
  }
  ingest::Importer importer(**store, collection->id, options);
  absl::Status status;
  int64_t skipped = 0;
  for (const std::string& f : flags.files) {
    status = feed ? ImportFeed(importer, f, flags, identity, skipped) : importer.ImportFile(f);
    if (!status.ok()) break;
  }
  if (terminal) std::fputs("\r\033[K", stderr);
  double seconds = elapsed();
  if (flags.json) {
    boost::json::object summary = SummaryJson(importer.summary(), seconds);
    if (feed) summary["skipped_values"] = skipped;
    std::string text = boost::json::serialize(summary) + "\n";
    std::fputs(text.c_str(), stdout);
  } else {
    PrintHumanSummary(importer.summary(), seconds);
  }
  if (!status.ok()) return ReportError(status);
  return importer.summary().rejected == 0 ? kExitOk : kExitFailure;
}

}  // namespace

void AddImportCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("import", "Add STIX documents (bundle, envelope, list, JSON lines) to a collection");
  auto flags = std::make_shared<ImportFlags>();
  cmd->add_option("FILE", flags->files, "Files to import ('-' for standard input; gzip is undone)")->required();
  cmd->add_option("--collection", flags->collection, "Collection id or alias")->required();
  cmd->add_option("--format", flags->format,
                  "auto, bundle, envelope, list, jsonl or object; lines or csv for plain indicator lists")
      ->capture_default_str();
  cmd->add_option("--organization", flags->organization,
                  "lines/csv: created_by_ref organisation (default: the node's only one)");
  cmd->add_flag("--json", flags->json, "Print the summary as JSON on standard output");
  cmd->add_flag("--log-commits", flags->log_commits, "Print a JSON line on stderr after each committed batch");
  cmd->add_option("--batch", flags->batch, "Objects per transaction")->capture_default_str()->check(CLI::Range(1, 1000000));
  cmd->callback([&global, flags] { global.exit_code = Run(global, *flags); });
}

}  // namespace kizuna::cli
