// Kizuna. `kizuna match`: compile the active indicators of collections and match telemetry.
//
//   kizuna match --collection NAME... --input PATH... [--format zeek|eve|jsonl|auto]
//                [--field-map FILE] [--allowlist PATH...] [--allowlist-category C...]
//                [--no-stored-allowlists] [--alerts FILE]
//                [--sightings-to COLLECTION [--organization NAME]] [--window SECONDS]
//                [--correlation-window SECONDS] [--threads N] [--reload SECONDS] [--follow]
//                [--json] [--resume FILE] [--no-compiled-set] [--verbose]
//   kizuna match --from nats://HOST:PORT --durable NAME [--threads N] [--alerts FILE] [--json]
//                [--ack-wait SECONDS] [--exit-when-idle SECONDS] [--nats-ca FILE ...]
//                (a worker: match_bus.h)
//
// Inputs are files, directories (every file below them) or '-' (standard input); gzip is
// undone. Alerts go to FILE as JSON lines ('-': standard output), flushed after each block
// of records, so `tail -F conn.log | kizuna match --input - --alerts -` shows them as they
// come. With --follow, files are read like `tail -F`: at their end matching waits for more
// lines, and a file that is rotated or truncated is read again from its start; every input
// gets its own thread. SIGINT or SIGTERM ends the reading (with or without --follow): the
// summary is printed and the sightings are added as for a normal end. Sightings are added
// once, when matching ends (a process killed with SIGKILL adds none). Sightings, one per
// indicator and window, are added to the collection given by --sightings-to, sighted by
// the organisation (the only one on the node unless --organization names it).
// Patterns needing several observations (AND, FOLLOWEDBY, REPEATS between brackets) are
// evaluated over the recent events of each input that satisfy one of their brackets: those
// within the pattern's own WITHIN, else within --correlation-window seconds (default 3600),
// at most 1,024 per pattern; a match gives one alert listing the records that took part.
// With --reload, the store is checked every SECONDS while matching runs (for long runs, such
// as a sensor's stream on standard input): when indicators were added to it (or one's
// validity began or ended), the indicators are compiled again and matching goes on with
// the new ones; only the entries added since are read and parsed (the run keeps every
// indicator's extracted values: detect/indicator_set.h); the start of the checks, each
// reload and each failed one (the old indicators stay) are reported on stderr.
// Allowlists: those stored on the node (`kizuna allowlist add`, in <data-dir>/allowlists/)
// unless --no-stored-allowlists, and those --allowlist names; --allowlist-category keeps
// only lists of those categories. Their keys are dropped from the compiled indicators.
// Each alert's match names the indicator and gives its name, labels, TLP, creator
// organisation and nation, and collection (detect/indicator_details.h: read once per
// indicator hit). The summary lists the 10 indicators that hit most, by name, with counts.
// Progress (reading allowlists, compiling, matching) goes to stderr when it is a terminal;
// the summary goes to stderr, or with --json to standard output as one JSON object.
// With --resume FILE (match_resume.h), a periodic run over growing files (a sensor folder)
// matches only what was added since the last run, appends its alerts, and its sightings count
// every run's events; the events multi-observation patterns still wait on are kept in FILE
// too, so the alerts and sightings are those one run over everything would make.
// The compiled indicators are written to a compiled-set file (<data-dir>/match-cache/, one
// per selection of collections; detect/compiled_set.h) stamped with every input of the
// compilation; the next run with the same inputs (no delete on the node and no indicator
// entered its collections since, same allowlists, no validity time passed) reads it instead
// of compiling. --json says where they
// came from ("compiled_from": "store" or "file", "compiled_set_reason": why not the file),
// --verbose says it on stderr; --no-compiled-set neither reads nor writes the file.
// Exit codes: 0 done (with or without hits); 1 a failure (store, unreadable field map...);
// 2 usage.
#include <malloc.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

#include "kizuna/base/clock.h"
#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/cli/match_bus.h"
#include "kizuna/cli/match_resume.h"
#include "kizuna/detect/allowlist_store.h"
#include "kizuna/detect/compiled_set.h"
#include "kizuna/detect/compiler.h"
#include "kizuna/detect/indicator_details.h"
#include "kizuna/detect/indicator_set.h"
#include "kizuna/detect/match_run.h"
#include "kizuna/detect/reloader.h"
#include "kizuna/detect/snapshot_file.h"
#include "kizuna/ingest/feed.h"
#include "kizuna/stix/exercise_marking.h"
#include "kizuna/store/open.h"
#include "kizuna/store/sqlite/sqlite_store.h"
#include "kizuna/store/store_id.h"

namespace kizuna::cli {
namespace {

// Compiled-set files kept in <data-dir>/match-cache (one per selection of collections).
constexpr size_t kCompiledSetsKept = 4;

struct MatchFlags {
  std::vector<std::string> collections;
  std::vector<std::string> inputs;
  std::string format = "auto";
  std::string field_map;
  std::vector<std::string> allowlists;
  std::vector<std::string> allowlist_categories;
  bool no_stored_allowlists = false;
  std::string alerts;
  std::string sightings_to;
  std::string organization;
  int64_t window_seconds = 3600;
  int64_t correlation_window_seconds = 3600;
  int threads = 2;
  int64_t reload_seconds = 0;
  bool follow = false;
  bool json = false;
  bool exercise = false;
  bool no_compiled_set = false;
  bool verbose = false;
  std::string resume;
  MatchBusFlags bus;
};

// The exercise rule (docs/security.md, rule 6): exercise indicators never alert on
// production telemetry. Without --exercise no collection may be an exercise collection (and
// exercise-marked indicators elsewhere are skipped by the compiler); with it, every
// collection, and the one sightings go to, must be one.
absl::Status CheckExerciseMode(const store::Collection& c, bool exercise, std::string_view flag) {
  std::string_view name = c.alias.empty() ? std::string_view(c.id) : std::string_view(c.alias);
  if (c.exercise && !exercise) {
    return absl::InvalidArgumentError(StrCat(flag, " ", name, " is an exercise collection: match it with "
                                             "--exercise, against exercise telemetry only"));
  }
  if (!c.exercise && exercise) {
    return absl::InvalidArgumentError(StrCat(flag, " ", name, " is not an exercise collection: --exercise "
                                             "matches exercise collections only"));
  }
  return absl::OkStatus();
}

// Set by SIGINT and SIGTERM: the readers end their inputs (line_reader.h).
std::atomic<bool> stop_requested{false};

void RequestStop(int) { stop_requested.store(true); }

// Makes SIGINT and SIGTERM end the reading instead of the process.
void StopOnSignals() {
  struct sigaction action {};
  action.sa_handler = RequestStop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// An output file closed on destruction.
struct FileCloser {
  void operator()(FILE* f) const {
    if (f != stdout) std::fclose(f);
  }
};

boost::json::object CompileJson(const detect::CompileReport& r) {
  boost::json::array problems, suppressions;
  for (const auto& p : r.problems) problems.push_back({{"id", p.id}, {"reason", p.reason}});
  for (const auto& s : r.suppressions) {
    suppressions.push_back({{"id", s.id}, {"value", s.value}, {"list", s.list}});
  }
  boost::json::object by_list;
  for (const auto& [list, n] : r.suppressed_by_list) by_list[list] = n;
  return {{"indicators", r.objects},   {"active", r.active},
          {"revoked", r.revoked},      {"expired", r.expired},
          {"not_yet_valid", r.not_yet_valid}, {"other_pattern_type", r.other_pattern_type},
          {"exercise", r.exercise},
          {"invalid", r.invalid},      {"simple", r.simple},
          {"evaluated", r.evaluated},  {"multi_observation", r.multi},
          {"suppressed", r.suppressed}, {"suppressed_keys", r.suppressed_keys},
          {"suppressed_by_list", by_list}, {"problems", problems},
          {"suppressions", suppressions}, {"lookup_bytes", r.lookup_bytes},
          {"seconds", r.seconds}};
}

boost::json::object MatchJson(const detect::MatchSummary& s, detect::IndicatorDetails& details) {
  boost::json::array problems;
  for (const auto& p : s.problems) problems.push_back(boost::json::string(p));
  boost::json::array top;
  for (const detect::IndicatorHits& t : s.top_indicators) {
    top.push_back({{"id", detect::FormatIndicatorId(t.indicator)},
                   {"name", details.Name(t.indicator)},
                   {"hits", t.hits}});
  }
  return {{"inputs", s.inputs},
          {"records", s.records},
          {"bytes", s.bytes},
          {"seconds", s.seconds},
          {"records_per_second", s.seconds > 0 ? static_cast<double>(s.records) / s.seconds : 0.0},
          {"alerts", s.alerts},
          {"matches", s.matches},
          {"correlations", s.correlations},
          {"correlation_dropped", s.correlation_dropped},
          {"correlation_late", s.correlation_late},
          {"indicators_hit", s.indicators_hit},
          {"malformed", s.malformed},
          {"input_errors", s.input_errors},
          {"top_indicators", top},
          {"problems", problems}};
}

// After a compile, which read every indicator once: the read connections' page caches and
// the compiler's freed memory go back to the system, so that matching holds little more
// than its tables.
void ReleaseCompileMemory(store::Database& db) {
  if (auto* sqlite = dynamic_cast<store::SqliteStore*>(&db)) sqlite->CloseIdleReaders();
  malloc_trim(0);
}

// Checks for changed indicators every `seconds` until destroyed, reporting on stderr.
class ReloadThread {
 public:
  ReloadThread(detect::SnapshotReloader& reloader, store::Database& db, int64_t seconds)
      : reloader_(reloader), db_(db), interval_(seconds), thread_([this] { Loop(); }) {}
  ~ReloadThread() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  ReloadThread(const ReloadThread&) = delete;
  ReloadThread& operator=(const ReloadThread&) = delete;

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!cv_.wait_for(lock, interval_, [this] { return stop_; })) {
      lock.unlock();
      detect::CompileReport report;
      absl::StatusOr<bool> published = reloader_.Check(&report);
      std::string line;
      if (!published.ok()) {
        line = StrCat("reload failed (matching goes on with the indicators compiled before): ",
                      published.status(), "\n");
      } else if (*published) {
        ReleaseCompileMemory(db_);
        line = StrCat("reloaded: ", report.active, " active indicators (", report.simple,
                      " by lookup, ", report.evaluated, " by the evaluator, ", report.multi,
                      " multi-observation), ", report.invalid, " invalid\n");
      }
      std::fputs(line.c_str(), stderr);
      lock.lock();
    }
  }

  detect::SnapshotReloader& reloader_;
  store::Database& db_;
  const std::chrono::seconds interval_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

void PrintHuman(const detect::CompileReport& c, const detect::MatchSummary& s,
                detect::IndicatorDetails& details, const ingest::ImportSummary* sightings) {
  std::string text;
  for (const auto& p : c.problems) StrAppend(text, "skipped indicator ", p.id, ": ", p.reason, "\n");
  for (const auto& p : c.suppressions) {
    StrAppend(text, "suppressed ", p.value, " of ", p.id, " (allowlist ", p.list, ")\n");
  }
  for (const auto& p : s.problems) StrAppend(text, p, "\n");
  StrAppend(text, "compiled ", c.active, " active indicators (", c.simple, " by lookup, ",
            c.evaluated, " by the evaluator, ", c.multi, " multi-observation) of ", c.objects,
            " in ", fmt::format("{:.2f}", c.seconds), " s; ", c.suppressed,
            " suppressed by allowlists\n");
  StrAppend(text, "matched ", s.records, " records (", s.bytes, " bytes) from ", s.inputs,
            " input(s) in ", fmt::format("{:.2f}", s.seconds), " s (",
            static_cast<int64_t>(s.seconds > 0 ? static_cast<double>(s.records) / s.seconds : 0),
            " records/s): ", s.alerts, " alerts (", s.correlations, " correlations), ",
            s.indicators_hit, " indicators hit, ",
            s.malformed, " malformed (unreadable lines, matches without an event time), ",
            s.input_errors, " input errors\n");
  if (c.exercise > 0) {
    StrAppend(text, "skipped ", c.exercise, " exercise indicators: they match exercise telemetry only (--exercise)\n");
  }
  if (s.correlation_dropped > 0 || s.correlation_late > 0) {
    StrAppend(text, "correlation: ", s.correlation_dropped, " events dropped from full buffers, ",
              s.correlation_late, " arrived too late\n");
  }
  if (!s.top_indicators.empty()) StrAppend(text, "indicators that hit most:\n");
  for (const detect::IndicatorHits& t : s.top_indicators) {
    const std::string name = details.Name(t.indicator);
    StrAppend(text, "  ", t.hits, "  ", name.empty() ? "(no name)" : name, "  ",
              detect::FormatIndicatorId(t.indicator), "\n");
  }
  if (sightings != nullptr) {
    StrAppend(text, "sightings: ", sightings->added, " added, ", sightings->already_present,
              " already present, ", sightings->rejected, " rejected\n");
  }
  std::fputs(text.c_str(), stderr);
}

int Run(GlobalOptions& global, MatchFlags& flags) {
  if (!flags.bus.from.empty()) {
    if (!flags.collections.empty() || !flags.inputs.empty()) {
      return ReportError(absl::InvalidArgumentError(
          "--from reads telemetry and indicators from NATS: --collection and --input do not apply"));
    }
    flags.bus.threads = flags.threads;
    flags.bus.alerts = flags.alerts;
    flags.bus.field_map = flags.field_map;
    flags.bus.allowlists = flags.allowlists;
    flags.bus.allowlist_categories = flags.allowlist_categories;
    flags.bus.correlation_window_seconds = flags.correlation_window_seconds;
    flags.bus.json = flags.json;
    return RunMatchFromBus(flags.bus);
  }
  if (flags.collections.empty() || flags.inputs.empty()) {
    return ReportError(absl::InvalidArgumentError("--collection and --input are required (or --from)"));
  }
  std::optional<detect::TelemetryFormat> format = detect::ParseTelemetryFormat(flags.format);
  if (!format) {
    return ReportError(absl::InvalidArgumentError(StrCat("unknown format '", flags.format, "'")));
  }
  auto db = OpenNodeDatabase(global.data_dir);
  if (!db.ok()) return ReportError(db.status());
  std::vector<std::string> collection_ids;
  std::vector<store::Collection> collections;
  for (const std::string& name : flags.collections) {
    auto c = (*db)->FindCollection("", name);
    if (!c.ok()) return ReportError(c.status());
    if (absl::Status st = CheckExerciseMode(*c, flags.exercise, "--collection"); !st.ok()) return ReportError(st);
    collection_ids.push_back(c->id);
    collections.push_back(std::move(*c));
  }
  std::string sightings_collection, identity;
  if (!flags.sightings_to.empty()) {
    auto c = (*db)->FindCollection("", flags.sightings_to);
    if (!c.ok()) return ReportError(c.status());
    if (absl::Status st = CheckExerciseMode(*c, flags.exercise, "--sightings-to"); !st.ok()) return ReportError(st);
    sightings_collection = c->id;
    auto id = ActingOrganization(**db, flags.organization, "the sensor's");
    if (!id.ok()) return ReportError(id.status());
    identity = *id;
  }
  detect::FieldMap user_map;
  if (absl::Status st = LoadFieldMap(flags.field_map, user_map); !st.ok()) return ReportError(st);
  const bool terminal = StderrIsTerminal();
  detect::Allowlist allowlist;
  int64_t allowlist_files = 0;
  if (terminal) {
    allowlist.on_file = [&allowlist_files](const std::string&) {
      std::fputs(StrCat("\rloading allowlists: ", ++allowlist_files, " files   ").c_str(), stderr);
    };
  }
  allowlist.categories = flags.allowlist_categories;
  int64_t stored_allowlists = 0;
  if (!flags.no_stored_allowlists) {
    auto loaded = detect::AllowlistStore(StrCat(global.data_dir, "/allowlists")).LoadInto(allowlist);
    if (!loaded.ok()) return ReportError(loaded.status());
    stored_allowlists = *loaded;
  }
  for (const std::string& path : flags.allowlists) {
    if (absl::Status st = allowlist.Load(path); !st.ok()) return ReportError(st);
  }
  allowlist.Finish();
  auto inputs = detect::ExpandInputs(flags.inputs);
  if (!inputs.ok()) return ReportError(inputs.status());
  absl::StatusOr<MatchResume> resume = MatchResume{};
  if (!flags.resume.empty()) {
    resume = ReadMatchResume(flags.resume, flags.window_seconds, flags.correlation_window_seconds);
  }
  if (!resume.ok()) return ReportError(resume.status());
  const absl::flat_hash_map<std::string, uint64_t> resume_lines = ResumeLines(*resume, *inputs);
  const absl::flat_hash_map<std::string, std::vector<detect::PendingEvents>> resume_pending =
      ResumePending(*resume, resume_lines);

  // Read before compiling, so a write during the compilation triggers a reload.
  absl::StatusOr<detect::StoreMarks> compiled_marks = detect::StoreMarks::Read(**db);
  if (!compiled_marks.ok()) return ReportError(compiled_marks.status());
  detect::CompileOptions compile;
  compile.now_us = SystemClock().NowMicros();
  compile.exercise = flags.exercise;
  if (allowlist.list_count() > 0) compile.allowlist = &allowlist;
  if (terminal) {
    compile.on_progress = [](int64_t read) {
      std::fputs(StrCat("\rcompiling: ", read, " indicators read   ").c_str(), stderr);
    };
  }
  detect::CompileReport report;
  // The compiled-set file of this selection (detect/compiled_set.h): read instead of
  // compiling when it was compiled from the same inputs and no validity time passed since.
  detect::CompiledSetInputs compiled_inputs;
  compiled_inputs.collection_ids = collection_ids;
  compiled_inputs.exercise = flags.exercise;
  compiled_inputs.marks = *compiled_marks;
  absl::StatusOr<int64_t> store_id = store::StoreId(**db);
  if (!store_id.ok()) return ReportError(store_id.status());
  compiled_inputs.store_id = *store_id;
  compiled_inputs.stored_allowlists = !flags.no_stored_allowlists;
  compiled_inputs.allowlist_categories = flags.allowlist_categories;
  compiled_inputs.allowlist_digest = allowlist.content_digest();
  const std::string compiled_dir = StrCat(global.data_dir, "/match-cache");
  const std::string compiled_path = detect::CompiledSetPath(compiled_dir, compiled_inputs);
  const std::string compiled_stamp = detect::CompiledSetStamp(compiled_inputs);
  std::string compiled_from = "store", compiled_reason, compiled_write_error;
  absl::StatusOr<std::shared_ptr<const detect::Snapshot>> snapshot;
  if (flags.no_compiled_set) {
    compiled_reason = "--no-compiled-set";
  } else {
    const auto started = std::chrono::steady_clock::now();
    absl::StatusOr<detect::SnapshotFile::Content> read = detect::SnapshotFile::Read(
        compiled_path,
        [&](std::string_view file_stamp) {
          return detect::CheckCompiledSetStamp(**db, compiled_inputs, file_stamp);
        },
        compile.now_us);
    if (read.ok()) {
      snapshot = std::move(read->snapshot);
      report = std::move(read->report);
      report.seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      compiled_from = "file";
    } else {
      compiled_reason = std::string(read.status().message());
    }
  }
  // With --reload, the extracted indicators are kept, so that a reload reads and parses only
  // what changed (detect/indicator_set.h); without, nothing is kept per indicator. A run that
  // read the compiled-set file loads them at its first reload.
  std::unique_ptr<detect::IndicatorSet> indicator_set;
  if (compiled_from == "store") {
    if (flags.reload_seconds > 0) {
      auto loaded = detect::IndicatorSet::LoadAndBuild(**db, collection_ids, compile, &report);
      if (!loaded.ok()) return ReportError(loaded.status());
      indicator_set = std::move(loaded->set);
      snapshot = std::move(loaded->snapshot);
    } else {
      snapshot = detect::CompileFromStore(**db, collection_ids, compile, &report);
    }
    if (terminal) std::fputs("\r\033[K", stderr);
    if (!snapshot.ok()) return ReportError(snapshot.status());
    if (!flags.no_compiled_set) {
      absl::Status written = detect::MakeCompiledSetDir(compiled_dir);
      if (written.ok())
        written = detect::SnapshotFile::Write(compiled_path, compiled_stamp, **snapshot, report);
      if (written.ok()) written = detect::PruneCompiledSets(compiled_dir, kCompiledSetsKept);
      if (!written.ok()) {
        compiled_write_error = std::string(written.message());
        std::fputs(
            StrCat("kizuna: the compiled-set file was not written: ", written.message(), "\n")
                .c_str(),
            stderr);
      }
    }
  }
  if (flags.verbose) {
    std::fputs((compiled_from == "file"
                    ? StrCat("indicators read from the compiled-set file ", compiled_path, "\n")
                    : StrCat("indicators compiled from the store (", compiled_reason, ")\n"))
                   .c_str(),
               stderr);
  }
  ReleaseCompileMemory(**db);
  detect::LiveSnapshot live(std::move(*snapshot));

  std::unique_ptr<FILE, FileCloser> alerts;
  if (!flags.alerts.empty()) {
    alerts.reset(flags.alerts == "-"
                     ? stdout
                     : std::fopen(flags.alerts.c_str(), flags.resume.empty() ? "w" : "a"));
    if (alerts == nullptr) {
      return ReportError(absl::PermissionDeniedError(StrCat("cannot write ", flags.alerts)));
    }
    // A file unbuffered: the sink hands over a block's alerts at once, and they go out in
    // one write. Through the 4 KiB buffer they went out in pieces ending mid-block of the
    // file, and the file system zeroed the rest of each new block before the next piece
    // filled it. (Standard output is left as it is: it may have been written to.)
    if (alerts.get() != stdout) std::setvbuf(alerts.get(), nullptr, _IONBF, 0);
  }
  detect::MatchOptions options;
  options.format = *format;
  options.threads = flags.threads;
  StopOnSignals();
  options.reader.follow.stop = &stop_requested;
  if (flags.follow) {
    // A followed input never ends: each needs a thread of its own.
    options.reader.follow.follow = true;
    options.threads = std::max<int>(flags.threads, static_cast<int>(inputs->size()));
  }
  options.sighting_window_us = flags.window_seconds * 1000000;
  options.correlation.window_us = flags.correlation_window_seconds * 1000000;
  if (!user_map.empty()) options.reader.user_map = &user_map;
  if (!flags.resume.empty()) {
    options.resume_lines = &resume_lines;
    options.resume_pending = &resume_pending;
  }
  detect::IndicatorDetails details(**db, **db, std::move(collections));
  options.details = &details;
  detect::MatchRun::AlertSink sink;
  if (alerts != nullptr) {
    sink = [&alerts](std::string_view lines) {
      std::fwrite(lines.data(), 1, lines.size(), alerts.get());
      std::fflush(alerts.get());
    };
  }
  detect::MatchRun run(live, options, sink);
  if (terminal) {
    run.on_progress = [](const detect::MatchSummary& s) {
      std::string line = StrCat("\r", s.records, " records, ", s.alerts, " alerts, ",
                                static_cast<int64_t>(s.seconds > 0 ? s.records / s.seconds : 0),
                                " records/s   ");
      std::fputs(line.c_str(), stderr);
    };
  }
  {
    detect::SnapshotReloader reloader(**db, collection_ids, compile, live, SystemClock(),
                                      *compiled_marks, indicator_set.get());
    if (flags.reload_seconds > 0 && indicator_set == nullptr) reloader.KeepSetFromFirstReload();
    std::unique_ptr<ReloadThread> reloading;
    if (flags.reload_seconds > 0) {
      std::string line =
          StrCat("compiled ", report.active, " active indicators; checking for changes every ",
                 flags.reload_seconds, " s\n");
      std::fputs(line.c_str(), stderr);
      reloading = std::make_unique<ReloadThread>(reloader, **db, flags.reload_seconds);
    }
    run.Run(*inputs);
  }
  if (terminal) std::fputs("\r\033[K", stderr);
  // A failed write of an unbuffered stream leaves nothing for fflush to fail on: its error
  // flag says it.
  if (alerts != nullptr && (std::fflush(alerts.get()) != 0 || std::ferror(alerts.get()))) {
    return ReportError(absl::InternalError(StrCat("writing ", flags.alerts, " failed")));
  }

  detect::SightingAggregator sightings(options.sighting_window_us);
  sightings.Merge(run.sightings());
  if (!flags.resume.empty()) {
    for (const auto& e : resume->sightings) sightings.AddEntry(e);
    UpdateMatchResume(*resume, run);
    resume->sightings = sightings.Entries();
    std::string left_out;
    if (absl::Status st = WriteMatchResume(flags.resume, *resume, &left_out); !st.ok())
      return ReportError(st);
    if (!left_out.empty()) std::fputs(StrCat("kizuna: ", left_out, "\n").c_str(), stderr);
  }
  std::unique_ptr<ingest::Importer> importer;
  if (!sightings_collection.empty()) {
    ingest::ImportOptions import;
    import.format = stix::DocumentFormat::kJsonLines;
    importer = std::make_unique<ingest::Importer>(**db, sightings_collection, import);
    absl::Status st =
        ingest::AddSightings(*importer, sightings.Entries(), identity,
                             flags.exercise ? stix::kExerciseMarkingId : std::string_view());
    if (!st.ok()) return ReportError(st);
  }
  if (flags.json) {
    boost::json::object compile_json = CompileJson(report);
    compile_json["compiled_from"] = compiled_from;
    compile_json["compiled_set_reason"] = compiled_reason;
    if (!compiled_write_error.empty())
      compile_json["compiled_set_write_error"] = compiled_write_error;
    boost::json::object out{{"compile", std::move(compile_json)},
                            {"match", MatchJson(run.summary(), details)}};
    out["allowlists"] = {{"stored_files", stored_allowlists},
                         {"lists", allowlist.list_count()},
                         {"entries", allowlist.entry_count()}};
    if (importer != nullptr) {
      out["sightings"] = {{"added", importer->summary().added},
                          {"already_present", importer->summary().already_present},
                          {"rejected", importer->summary().rejected}};
    }
    std::string text = boost::json::serialize(out) + "\n";
    std::fputs(text.c_str(), stdout);
  } else {
    if (allowlist.list_count() > 0) {
      std::fputs(StrCat("allowlists: ", allowlist.list_count(), " lists (", stored_allowlists,
                        " stored on the node), ", allowlist.entry_count(), " entries\n").c_str(),
                 stderr);
    }
    PrintHuman(report, run.summary(), details, importer != nullptr ? &importer->summary() : nullptr);
  }
  return importer != nullptr && importer->summary().rejected > 0 ? kExitFailure : kExitOk;
}

}  // namespace

void AddMatchCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("match", "Match Zeek / Suricata telemetry against the active indicators of collections");
  auto flags = std::make_shared<MatchFlags>();
  cmd->add_option("--collection", flags->collections, "Collections whose indicators to compile (id or alias)");
  cmd->add_option("--input", flags->inputs, "Telemetry files or directories ('-' for standard input; gzip is undone)");
  cmd->add_option("--format", flags->format, "auto, zeek, eve or jsonl")->capture_default_str();
  cmd->add_option("--field-map", flags->field_map, "Field map file: 'log-type field path' lines (for jsonl, or extra Zeek/EVE fields)");
  cmd->add_option("--allowlist", flags->allowlists, "MISP warninglist (list.json), directory of them, or plain list");
  cmd->add_option("--allowlist-category", flags->allowlist_categories,
                  "Use only allowlists of these categories: a MISP warninglist's \"category\" or "
                  "\"type\" (cidr, hostname, string, substring, regex); \"plain\" for plain lists");
  cmd->add_flag("--no-stored-allowlists", flags->no_stored_allowlists,
                "Leave out the allowlists stored on the node (`kizuna allowlist add`)");
  cmd->add_option("--alerts", flags->alerts, "Write alerts as JSON lines to FILE ('-': standard output)");
  cmd->add_option("--sightings-to", flags->sightings_to, "Add STIX sightings to this collection");
  cmd->add_option("--organization", flags->organization, "The sensor's organisation (name or identity id)");
  cmd->add_option("--window", flags->window_seconds, "Sighting window in seconds")->capture_default_str()->check(CLI::Range(1, 31 * 86400));
  cmd->add_option("--correlation-window", flags->correlation_window_seconds,
                  "Seconds of events kept for patterns needing several observations (AND, "
                  "FOLLOWEDBY, REPEATS) that have no WITHIN over the whole pattern")
      ->capture_default_str()->check(CLI::Range(1, 31 * 86400));
  cmd->add_option("--threads", flags->threads, "Matching threads")->capture_default_str()->check(CLI::Range(1, 64));
  cmd->add_option("--reload", flags->reload_seconds,
                  "Check the store every SECONDS while matching and recompile the indicators "
                  "when they changed (0: never)")
      ->capture_default_str()->check(CLI::Range(0, 86400));
  cmd->add_flag("--follow", flags->follow,
                "Keep reading the input files as they grow, like tail -F (reopened when rotated "
                "or truncated), until SIGINT or SIGTERM; then print the summary and add the "
                "sightings");
  cmd->add_flag("--json", flags->json, "Print the summary as JSON on standard output");
  cmd->add_flag("--no-compiled-set", flags->no_compiled_set,
                "Compile from the store without reading or writing the compiled-set file "
                "(<data-dir>/match-cache/)");
  cmd->add_flag("--verbose", flags->verbose,
                "Say on stderr whether the indicators came from the compiled-set file or the "
                "store, and why");
  cmd->add_option("--resume", flags->resume,
                  "State FILE of a periodic match over growing telemetry: match only the lines "
                  "added since the run that wrote it, append to --alerts, and add sightings "
                  "counting the earlier runs' events too; patterns needing several observations "
                  "see the earlier runs' events (written at the end; created if absent)");
  cmd->add_flag("--exercise", flags->exercise,
                "Match exercise telemetry: every collection (and --sightings-to) must be an "
                "exercise collection; exercise-marked indicators are compiled and sightings carry "
                "the exercise marking. Without it exercise indicators are never compiled");
  cmd->add_option("--from", flags->bus.from,
                  "Be a worker: match batches of the KIZUNA_TELEMETRY stream of this NATS server "
                  "(nats://HOST:PORT or tls://HOST:PORT) against the indicator set `kizuna bus` publishes, and send "
                  "sightings back to it (docs/bus.md); no data directory is used");
  AddNatsFlags(*cmd, flags->bus.nats);
  cmd->add_option("--durable", flags->bus.durable,
                  "With --from: the consumer the workers share (each batch goes to one of them)");
  cmd->add_option("--ack-wait", flags->bus.ack_wait_seconds,
                  "With --from: seconds after which a batch a worker did not finish goes to another")
      ->capture_default_str()->check(CLI::Range(1, 3600));
  cmd->add_option("--exit-when-idle", flags->bus.exit_when_idle_seconds,
                  "With --from: stop after SECONDS without a batch (0: run until SIGINT/SIGTERM)")
      ->capture_default_str()->check(CLI::Range(0, 86400));
  cmd->callback([&global, flags] { global.exit_code = Run(global, *flags); });
}

}  // namespace kizuna::cli
