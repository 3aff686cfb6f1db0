// Kizuna. `kizuna import FILE... --collection NAME`: add STIX documents to a collection.
#include <fnmatch.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "kizuna/base/clock.h"
#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/cli/index_progress.h"
#include "kizuna/detect/readers/reader.h"
#include "kizuna/ingest/feed.h"
#include "kizuna/ingest/importer.h"
#include "kizuna/ingest/misp.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/store/open.h"

namespace kizuna::cli {
namespace {

struct ImportFlags {
  std::vector<std::string> files;
  std::string include = "*";
  std::string collection;
  std::string format = "auto";
  std::string organization;
  bool json = false;
  bool log_commits = false;
  bool index = false;  // catch the search index up before exiting
  size_t batch = limits::kImportBatchObjects;
  // Lists (lines, csv): what the indicators carry, and the lifecycle.
  detect::FeedSettings feed;
  std::vector<std::string> indicator_types;
  std::string valid_until;
  bool replace = false;
};

// The list settings of `flags`, checked against `now_us`; InvalidArgument names the option.
absl::StatusOr<detect::FeedSettings> FeedSettingsOf(const ImportFlags& flags, int64_t now_us) {
  detect::FeedSettings settings = flags.feed;
  if (!flags.indicator_types.empty()) settings.indicator_types = flags.indicator_types;
  if (!flags.valid_until.empty()) {
    absl::StatusOr<int64_t> until = stix::ParseMicros(flags.valid_until);
    if (!until.ok()) {
      return absl::InvalidArgumentError(
          StrCat("--valid-until '", flags.valid_until, "': ", until.status().message()));
    }
    settings.valid_until_us = *until;
  }
  if (absl::Status s = settings.Validate(now_us); !s.ok()) return Annotate(s, "--");
  return settings;
}

// A file that could not be imported (unreadable, or a broken document), and why.
struct FailedInput {
  std::string file;
  std::string reason;
};

absl::StatusOr<stix::DocumentFormat> ParseFormat(std::string_view name) {
  for (auto f : {stix::DocumentFormat::kAuto, stix::DocumentFormat::kBundle, stix::DocumentFormat::kEnvelope,
                 stix::DocumentFormat::kList, stix::DocumentFormat::kJsonLines, stix::DocumentFormat::kObject}) {
    if (stix::DocumentFormatName(f) == name) return f;
  }
  return absl::InvalidArgumentError(StrCat("unknown format '", name, "'"));
}

// What one input holds: STIX documents, or a plain indicator list (ingest/feed.h).
enum class InputKind { kStix, kLines, kCsv, kMisp };

// The kind of `path` under --format: as named, or (auto) by the file's extension, under a
// .gz: .txt, .list and .lst are lists of one value a line, .csv is CSV, anything else STIX.
InputKind KindOf(const std::string& format, std::string_view path) {
  if (format == "lines") return InputKind::kLines;
  if (format == "csv") return InputKind::kCsv;
  if (format == "misp") return InputKind::kMisp;
  if (format != "auto") return InputKind::kStix;
  std::string_view name = path.substr(path.find_last_of('/') + 1);
  auto extension = [&name] {
    size_t dot = name.find_last_of('.');
    return dot == std::string_view::npos ? std::string_view() : name.substr(dot);
  };
  if (EqualsIgnoreCase(extension(), ".gz")) name.remove_suffix(3);
  std::string_view ext = extension();
  if (EqualsIgnoreCase(ext, ".txt") || EqualsIgnoreCase(ext, ".list") || EqualsIgnoreCase(ext, ".lst")) {
    return InputKind::kLines;
  }
  return EqualsIgnoreCase(ext, ".csv") ? InputKind::kCsv : InputKind::kStix;
}

// The reason a STIX document failed, with the flag to use when it looks like a plain list.
std::string StixFailure(const absl::Status& status, std::string_view name, std::string_view text) {
  std::string_view message = View(status.message());
  const std::string prefix = StrCat(name, ": ");  // the summary names the file
  if (message.starts_with(prefix)) message.remove_prefix(prefix.size());
  std::string reason(message);
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] != '{' && text[first] != '[') {
    reason += " (a plain list of values? import it with --format lines or --format csv)";
  }
  return reason;
}

// The files to read: each FILE as given ("-" too), and for a folder the regular files below
// it, recursively, whose name matches `include` (a glob), in name order. A folder that
// cannot be read is a failed input.
std::vector<std::string> ExpandInputs(const std::vector<std::string>& inputs, const std::string& include,
                                      std::vector<FailedInput>& failed) {
  std::vector<std::string> files;
  for (const std::string& input : inputs) {
    std::error_code ec;
    if (input == "-" || !std::filesystem::is_directory(input, ec)) {
      files.push_back(input);
      continue;
    }
    std::vector<std::string> found;
    auto it = std::filesystem::recursive_directory_iterator(input, ec);
    for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      if (fnmatch(include.c_str(), it->path().filename().c_str(), 0) == 0) found.push_back(it->path().string());
    }
    if (ec) failed.push_back({input, StrCat("cannot read the folder: ", ec.message())});
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

boost::json::object SummaryJson(const ingest::ImportSummary& s, const std::vector<FailedInput>& failed,
                                double seconds) {
  boost::json::array rejections;
  for (const auto& r : s.rejections) {
    rejections.push_back({{"where", r.where}, {"id", r.id}, {"reason", r.reason}});
  }
  boost::json::array failed_files;
  for (const FailedInput& f : failed) failed_files.push_back({{"file", f.file}, {"reason", f.reason}});
  return {{"files", s.files},
          {"failed_files", failed_files},
          {"bytes", s.bytes},
          {"read", s.read},
          {"added", s.added},
          {"already_present", s.already_present},
          {"rejected", s.rejected},
          {"rejections", rejections},
          {"seconds", seconds},
          {"objects_per_second", seconds > 0 ? s.read / seconds : 0.0}};
}

// The details of the "object.import" audit event: the files (at most kMaxAuditedFiles
// named), the counts, the format, the organisation that created converted lists' indicators
// and, with --replace, how many indicators were revoked.
std::string AuditDetails(const ingest::ImportSummary& s, const std::vector<FailedInput>& failed,
                         const ImportFlags& flags, std::string_view organization, int64_t revoked) {
  constexpr size_t kMaxAuditedFiles = 100;
  boost::json::array files;
  for (size_t i = 0; i < flags.files.size() && i < kMaxAuditedFiles; ++i) files.emplace_back(flags.files[i]);
  boost::json::object details{{"files", files},       {"files_read", s.files},
                              {"failed_files", failed.size()}, {"read", s.read},
                              {"added", s.added},     {"already_present", s.already_present},
                              {"rejected", s.rejected}, {"format", flags.format}};
  if (flags.files.size() > kMaxAuditedFiles) details["files_truncated"] = true;
  if (flags.replace) details["revoked"] = revoked;
  if (!organization.empty() || !flags.organization.empty()) {
    details["organization"] = organization.empty() ? std::string_view(flags.organization) : organization;
  }
  return boost::json::serialize(details);
}

void PrintHumanSummary(const ingest::ImportSummary& s, const std::vector<FailedInput>& failed, double seconds) {
  std::string text;
  for (const auto& r : s.rejections) {
    StrAppend(text, "rejected ", r.where, r.id.empty() ? "" : " ", r.id, ": ", r.reason, "\n");
  }
  if (s.rejected > static_cast<int64_t>(s.rejections.size())) {
    StrAppend(text, "... and ", s.rejected - static_cast<int64_t>(s.rejections.size()), " more rejected\n");
  }
  for (const FailedInput& f : failed) StrAppend(text, "failed ", f.file, ": ", f.reason, "\n");
  StrAppend(text, "read ", s.read, " objects from ", s.files, " file(s) in ", fmt::format("{:.2f}", seconds),
            " s: ", s.added, " added, ", s.already_present, " already present, ", s.rejected, " rejected");
  if (!failed.empty()) StrAppend(text, "; ", failed.size(), " file(s) failed");
  text += "\n";
  std::fputs(text.c_str(), stderr);
}

// Adds the counts and notes of one MISP file to those of the import.
void AddMispTotals(const misp::Conversion& file, misp::Conversion& total) {
  total.events += file.events;
  total.attributes += file.attributes;
  total.objects += file.objects;
  total.references += file.references;
  total.sightings += file.sightings;
  total.clusters += file.clusters;
  total.stix_objects += file.stix_objects;
  for (const std::string& note : file.notes) {
    if (std::find(total.notes.begin(), total.notes.end(), note) == total.notes.end()) total.notes.push_back(note);
  }
}

boost::json::object MispSummaryJson(const misp::Conversion& m) {
  boost::json::array notes;
  for (const std::string& n : m.notes) notes.emplace_back(n);
  return {{"events", m.events},         {"attributes", m.attributes}, {"objects", m.objects},
          {"references", m.references}, {"sightings", m.sightings},   {"clusters", m.clusters},
          {"stix_objects", m.stix_objects}, {"notes", notes}};
}

// Imports every file of `flags`. A file that cannot be read, or whose document is broken,
// is a failed input (the objects before the break are kept) and the next file is read; a
// failure of the store stops the import and is returned.
absl::Status ImportAll(ingest::Importer& importer, store::Database& db, const ImportFlags& flags,
                       const detect::FeedSettings& settings, int64_t now_us, std::vector<FailedInput>& failed,
                       int64_t& skipped, std::string& organization, ingest::FeedLedger& ledger,
                       misp::Conversion& misp_total) {
  std::optional<absl::StatusOr<std::string>> identity;  // resolved for the first list
  for (const std::string& path : ExpandInputs(flags.files, flags.include, failed)) {
    const std::string name = path == "-" ? "stdin" : path;
    InputKind kind = KindOf(flags.format, path);
    // A list that fails keeps --replace from revoking anything of its feed.
    const std::string source = settings.source.empty() ? detect::LogTypeFromPath(path) : settings.source;
    auto fail = [&](std::string reason) {
      failed.push_back({name, std::move(reason)});
      if (kind == InputKind::kLines || kind == InputKind::kCsv) ledger.incomplete.insert(source);
    };
    absl::StatusOr<simdjson::padded_string> text = ReadFile(path, limits::kMaxDocumentBytes);
    if (!text.ok()) {
      fail(std::string(text.status().message()));
      continue;
    }
    std::string_view view(text->data(), text->size());
    absl::Status status;
    if (kind == InputKind::kStix) {
      importer.CountFile(view.size());
      status = importer.ImportText(name, view, stix::Padding::kPresent);
    } else {
      if (!identity) identity = ActingOrganization(db, flags.organization, "the feed's");
      // Whose the lists are is asked once: no list can be read without it.
      if (!identity->ok()) return identity->status();
      organization = **identity;
    }
    if (kind == InputKind::kMisp) {
      misp::ConvertOptions options;
      options.created_by_ref = **identity;
      misp::Conversion conversion;
      status = ingest::ImportMisp(importer, name, view, options, &conversion);
      AddMispTotals(conversion, misp_total);
    } else if (kind != InputKind::kStix) {
      detect::FeedOptions options;
      options.format = kind == InputKind::kCsv ? detect::FeedFormat::kCsv : detect::FeedFormat::kLines;
      options.family = detect::LogTypeFromPath(path);
      options.origin = path;
      options.created_by_ref = **identity;
      options.settings = settings;
      struct stat info {};
      // The list's time, for values new to the node: its file's, or now for standard input
      // (which has none). Versions of values already held take the import's time.
      options.now_us = now_us;
      options.time_us = path != "-" && stat(path.c_str(), &info) == 0 ? static_cast<int64_t>(info.st_mtime) * 1000000
                                                                      : now_us;
      detect::FeedResult feed;
      status = ingest::ImportFeed(importer, name, view, options, &feed, &ledger);
      skipped += feed.skipped;
    }
    if (status.code() == absl::StatusCode::kInvalidArgument) {
      std::string_view message = View(status.message());
      if (kind == InputKind::kMisp && message.starts_with(name + ": ")) message.remove_prefix(name.size() + 2);
      fail(kind == InputKind::kStix ? StixFailure(status, name, view) : std::string(message));
    } else if (!status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

// The search index after an import: entries indexed here (--index) and entries left behind.
struct IndexCatchUp {
  int64_t indexed = 0;
  int64_t pending = 0;
  double seconds = 0;
  bool stale = false;  // built by another version or written without an indexer: rebuild
};

// With `now`, indexes the entries behind the cursor (progress on a terminal); then reads what
// is left.
absl::Status CatchUpIndex(store::Database& db, bool now, bool terminal, IndexCatchUp& out) {
  auto start = std::chrono::steady_clock::now();
  if (now) {
    absl::StatusOr<store::RebuildSummary> done = db.CatchUpIndex(IndexingProgress(terminal));
    if (terminal) std::fputs("\r\033[K", stderr);
    if (!done.ok() && !absl::IsFailedPrecondition(done.status())) return done.status();
    if (done.ok()) out.indexed = done->entries;
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  KZ_ASSIGN_OR_RETURN(store::IndexState state, db.GetIndexState());
  out.pending = state.pending;
  out.stale = !state.complete && !state.behind;
  return absl::OkStatus();
}

boost::json::object IndexJson(const IndexCatchUp& index) {
  return boost::json::object{{"indexed", index.indexed},
                             {"pending", index.pending},
                             {"stale", index.stale},
                             {"seconds", index.seconds}};
}

std::string IndexText(const IndexCatchUp& index) {
  if (index.stale) return "search index: stale; run `kizuna index rebuild`\n";
  std::string text;
  if (index.indexed > 0)
    StrAppend(text, "search index: ", index.indexed, " entries indexed in ", index.seconds, " s\n");
  if (index.pending > 0) {
    StrAppend(text, "search index: ", index.pending,
              " entries not indexed yet (searches miss them until then); `kizuna serve` indexes "
              "them in the "
              "background, or run `kizuna index catch-up`\n");
  }
  return text;
}

int Run(GlobalOptions& global, const ImportFlags& flags) {
  ingest::ImportOptions options;  // lists become JSON lines; STIX files are recognised (kAuto)
  if (flags.format != "auto" && flags.format != "lines" && flags.format != "csv" && flags.format != "misp") {
    auto format = ParseFormat(flags.format);
    if (!format.ok()) return ReportError(format.status());
    options.format = *format;
  }
  const int64_t now_us = SystemClock().NowMicros();
  absl::StatusOr<detect::FeedSettings> settings = FeedSettingsOf(flags, now_us);
  if (!settings.ok()) {
    ReportError(settings.status());
    return kExitUsage;
  }
  auto store = OpenNodeDatabase(global.data_dir);
  if (!store.ok()) return ReportError(store.status());
  auto collection = (*store)->FindCollection("", flags.collection);
  if (!collection.ok()) return ReportError(collection.status());
  // The entries are indexed behind the import (docs/search.md "Keeping it complete"): by the
  // node when it runs, by `kizuna index catch-up`, or here at the end with --index.
  (*store)->DeferIndexing(true);

  auto start = std::chrono::steady_clock::now();
  auto elapsed = [start] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
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
  std::vector<FailedInput> failed;
  int64_t skipped = 0, revoked = 0;
  std::string organization;  // of converted lists' indicators, when there were lists
  ingest::FeedLedger ledger;
  misp::Conversion misp_total;
  absl::Status status =
      ImportAll(importer, **store, flags, *settings, now_us, failed, skipped, organization, ledger, misp_total);
  if (status.ok() && flags.replace && !ledger.sources.empty()) {
    // The lists were read by the one organisation the first list resolved.
    absl::StatusOr<int64_t> n = ingest::RevokeUnlisted(importer, ledger, organization, now_us);
    status = n.status();
    if (n.ok()) revoked = *n;
  }
  if (terminal) std::fputs("\r\033[K", stderr);
  double seconds = elapsed();
  IndexCatchUp index;  // also after a failure: what was committed waits for the index
  absl::Status indexed = CatchUpIndex(**store, flags.index && status.ok(), terminal, index);
  if (status.ok()) status = indexed;
  if (flags.json) {
    boost::json::object summary = SummaryJson(importer.summary(), failed, seconds);
    summary["skipped_values"] = skipped;
    summary["revoked"] = revoked;
    if (flags.format == "misp") summary["misp"] = MispSummaryJson(misp_total);
    summary["index"] = IndexJson(index);
    std::string text = boost::json::serialize(summary) + "\n";
    std::fputs(text.c_str(), stdout);
  } else {
    if (flags.format == "misp") {
      std::string text = StrCat("MISP: ", misp_total.events, " event(s), ", misp_total.attributes, " attribute(s), ",
                                misp_total.objects, " object(s), ", misp_total.sightings, " sighting(s), ",
                                misp_total.clusters, " galaxy cluster(s) -> ", misp_total.stix_objects,
                                " STIX objects\n");
      for (const std::string& n : misp_total.notes) StrAppend(text, "note: ", n, "\n");
      std::fputs(text.c_str(), stderr);
    }
    PrintHumanSummary(importer.summary(), failed, seconds);
    if (flags.replace) std::fputs(StrCat("revoked ", revoked, " indicator(s) the lists no longer name\n").c_str(), stderr);
    std::fputs(IndexText(index).c_str(), stderr);
  }
  // Every import is audited, also one that failed part way (what it committed stays).
  absl::Status audited = AuditCommand(**store, "object.import", collection->id,
                                      AuditDetails(importer.summary(), failed, flags, organization, revoked));
  if (!status.ok()) return ReportError(status);
  if (!audited.ok()) return ReportError(audited);
  return importer.summary().rejected == 0 && failed.empty() ? kExitOk : kExitFailure;
}

// The options for plain lists (docs/feeds.md); checked before anything is written.
void AddFeedOptions(CLI::App& cmd, ImportFlags& flags) {
  const std::string group = "Lists (lines, csv)";
  cmd.add_option("--tlp", flags.feed.tlp, "TLP 2.0 marking of the indicators: clear, green, amber, amber+strict or red")
      ->group(group);
  cmd.add_option("--indicator-type", flags.indicator_types,
                 "indicator_types, repeatable (open vocabulary: e.g. benign, anomalous-activity, "
                 "malicious-activity; default malicious-activity)")
      ->group(group);
  cmd.add_option("--confidence", flags.feed.confidence, "confidence, 0..100")->group(group);
  cmd.add_option("--valid-for", flags.feed.valid_for_days,
                 "Days each indicator stays valid (valid_until); re-importing a value renews it once less "
                 "than half is left")
      ->group(group);
  cmd.add_option("--valid-until", flags.valid_until, "A fixed valid_until (RFC 3339, e.g. 2027-01-01T00:00:00Z)")
      ->group(group);
  cmd.add_option("--label", flags.feed.labels, "A label added after the family, repeatable")->group(group);
  cmd.add_option("--description", flags.feed.description, "description of the indicators")->group(group);
  cmd.add_option("--source", flags.feed.source,
                 "The feed's name (external_references source_name; default the file name, e.g. 'emotet'). "
                 "--replace works per source")
      ->group(group);
  cmd.add_option("--source-url", flags.feed.source_url, "The feed's URL (external_references url)")->group(group);
  cmd.add_flag("--exact-domains", flags.feed.exact_domains,
               "A domain line means that name only (default: the name and the names under it)")
      ->group(group);
  cmd.add_flag("--replace", flags.replace,
               "Revoke the indicators of the same feeds (source), creator and collection that these lists no "
               "longer name (a new version with revoked: true); nothing of a feed one of whose lists failed")
      ->group(group);
}

}  // namespace

void AddImportCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("import", "Add STIX documents (bundle, envelope, list, JSON lines) to a collection");
  auto flags = std::make_shared<ImportFlags>();
  cmd->add_option("FILE", flags->files,
                  "Files or folders to import ('-' for standard input; gzip is undone; folders are read "
                  "recursively). Every file is tried: those that fail are listed, and the exit code is 1")
      ->required();
  cmd->add_option("--include", flags->include, "In folders, only files whose name matches this glob (e.g. '*.txt')")
      ->capture_default_str();
  cmd->add_option("--collection", flags->collection, "Collection id or alias")->required();
  cmd->add_option("--format", flags->format,
                  "auto, bundle, envelope, list, jsonl or object; lines or csv for plain indicator lists; misp "
                  "for MISP events (an event or an event list; docs/misp.md). "
                  "auto reads .txt, .list and .lst files as lines and .csv files as csv. A CSV's first row "
                  "names its columns: 'value' (or 'indicator') is required, 'family' and 'comment' optional")
      ->capture_default_str();
  cmd->add_option("--organization", flags->organization,
                  "lines/csv/misp: the organisation that creates the objects (created_by_ref); required "
                  "when the node has several");
  AddFeedOptions(*cmd, *flags);
  cmd->add_flag("--json", flags->json, "Print the summary as JSON on standard output");
  cmd->add_flag("--log-commits", flags->log_commits, "Print a JSON line on stderr after each committed batch");
  cmd->add_flag(
      "--index", flags->index,
      "Catch the search index up before exiting (by default the entries are left to `kizuna serve` "
      "or `kizuna index catch-up`, and searches say the index is not complete until then)");
  cmd->add_option("--batch", flags->batch, "Objects per transaction")->capture_default_str()->check(CLI::Range(1, 1000000));
  cmd->callback([&global, flags] { global.exit_code = Run(global, *flags); });
}

}  // namespace kizuna::cli
