// Kizuna. `kizuna import FILE... --collection NAME`: add STIX documents to a collection.
#include <CLI/CLI.hpp>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>

#include "kizuna/base/clock.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/store/importer.h"
#include "kizuna/store/open.h"

namespace kizuna::cli {
namespace {

struct ImportFlags {
  std::vector<std::string> files;
  std::string collection;
  std::string format = "auto";
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

boost::json::object SummaryJson(const store::ImportSummary& s, double seconds) {
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

void PrintHumanSummary(const store::ImportSummary& s, double seconds) {
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

int Run(GlobalOptions& global, const ImportFlags& flags) {
  auto format = ParseFormat(flags.format);
  if (!format.ok()) return ReportError(format.status());
  auto store = store::OpenDataDir(global.data_dir, SystemClock());
  if (!store.ok()) return ReportError(store.status());
  auto collection = (*store)->FindCollection("", flags.collection);
  if (!collection.ok()) return ReportError(collection.status());

  auto start = std::chrono::steady_clock::now();
  auto elapsed = [start] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  store::ImportOptions options;
  options.format = *format;
  options.batch_objects = flags.batch;
  bool terminal = StderrIsTerminal();
  if (terminal) {
    options.on_progress = [&](const store::ImportSummary& s) {
      double t = elapsed();
      std::string line = StrCat("\r", s.read, " objects read, ", s.added, " added (",
                                static_cast<int64_t>(t > 0 ? s.read / t : 0), "/s)   ");
      std::fputs(line.c_str(), stderr);
    };
  }
  if (flags.log_commits) {
    options.on_commit = [](const store::CommittedBatch& b) {
      boost::json::object line{{"committed", b.objects}, {"total", b.total_committed}, {"last_id", b.last_id}};
      std::string text = boost::json::serialize(line) + "\n";
      std::fputs(text.c_str(), stderr);
      std::fflush(stderr);
    };
  }
  store::Importer importer(**store, collection->id, options);
  absl::Status status;
  for (const std::string& f : flags.files) {
    status = importer.ImportFile(f);
    if (!status.ok()) break;
  }
  if (terminal) std::fputs("\r\033[K", stderr);
  double seconds = elapsed();
  if (flags.json) {
    std::string text = boost::json::serialize(SummaryJson(importer.summary(), seconds)) + "\n";
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
  cmd->add_option("--format", flags->format, "auto, bundle, envelope, list, jsonl or object")->capture_default_str();
  cmd->add_flag("--json", flags->json, "Print the summary as JSON on standard output");
  cmd->add_flag("--log-commits", flags->log_commits, "Print a JSON line on stderr after each committed batch");
  cmd->add_option("--batch", flags->batch, "Objects per transaction")->capture_default_str()->check(CLI::Range(1, 1000000));
  cmd->callback([&global, flags] { global.exit_code = Run(global, *flags); });
}

}  // namespace kizuna::cli
