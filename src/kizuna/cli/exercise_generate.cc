// Kizuna. `kizuna exercise generate SCENARIO --out DIR`: labelled telemetry of a scenario.
//
//   kizuna exercise generate SCENARIO --out DIR [--attack BUNDLE] [--zeek-json] [--no-zeek-tsv]
//                            [--no-eve] [--time-scale S] [--t0 TIME] [--background-scale F]
//                            [--team ID...] [--json]
//
// Writes DIR/<team>/{conn,dns,http,ssl,files,notice}.log (Zeek TSV), DIR/<team>/json/*.log
// (Zeek JSON, with --zeek-json), DIR/<team>/eve.json (Suricata EVE) and DIR/truth.tsv (one
// ground-truth label per record; exercise/ground_truth.h). The same scenario and flags give
// the same bytes. --time-scale S writes an event at scenario offset t at t0 + t/S; --t0 moves
// the start (e.g. to now, so the telemetry's times are current). Existing files are replaced.
// The summary (records, bytes, records per label kind) goes to stderr, or with --json to
// standard output. Exit codes: 0 written; 1 a bad scenario or a write failure; 2 usage.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>

#include "kizuna/base/strings.h"
#include "kizuna/cli/exercise_internal.h"
#include "kizuna/exercise/generator.h"
#include "kizuna/stix/timestamp.h"

namespace kizuna::cli {
namespace {

struct GenerateFlags {
  std::string scenario;
  std::string attack;
  std::string out;
  bool zeek_json = false;
  bool no_zeek_tsv = false;
  bool no_eve = false;
  double time_scale = 1;
  std::string t0;
  double background_scale = 1;
  std::vector<std::string> teams;
  bool json = false;
};

// Files under one folder, each opened (truncated) at its first chunk.
class FileSink : public exercise::TelemetrySink {
 public:
  explicit FileSink(std::string root) : root_(std::move(root)) {}
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;
  ~FileSink() override {
    for (auto& [name, file] : files_) std::fclose(file);
  }

  absl::Status Write(std::string_view file, std::string_view bytes) override {
    auto it = files_.find(file);
    if (it == files_.end()) {
      std::filesystem::path path = std::filesystem::path(root_) / std::string(file);
      std::error_code ec;
      std::filesystem::create_directories(path.parent_path(), ec);
      if (ec)
        return absl::PermissionDeniedError(StrCat(path.parent_path().string(), ": ", ec.message()));
      std::FILE* f = std::fopen(path.c_str(), "wb");
      if (f == nullptr)
        return absl::PermissionDeniedError(StrCat(path.string(), ": cannot create"));
      it = files_.emplace(std::string(file), f).first;
    }
    if (std::fwrite(bytes.data(), 1, bytes.size(), it->second) != bytes.size()) {
      return absl::DataLossError(StrCat(root_, "/", file, ": write failed"));
    }
    return absl::OkStatus();
  }

  absl::Status Close() {
    absl::Status status;
    for (auto& [name, file] : files_) {
      if (std::fclose(file) != 0 && status.ok())
        status = absl::DataLossError(StrCat(root_, "/", name, ": write failed"));
    }
    files_.clear();
    return status;
  }

 private:
  std::string root_;
  std::map<std::string, std::FILE*, std::less<>> files_;
};

int Generate(GlobalOptions& global, const GenerateFlags& flags) {
  auto scenario = LoadScenario(flags.scenario, flags.attack, global.data_dir);
  if (!scenario.ok()) return ReportError(scenario.status());
  exercise::GenerateOptions options;
  if (!flags.t0.empty()) {
    auto t0 = stix::ParseMicros(flags.t0);
    if (!t0.ok()) return ReportError(Annotate(t0.status(), "--t0: "));
    options.t0_us = *t0;
  }
  options.time_scale = flags.time_scale;
  options.background_scale = flags.background_scale;
  options.zeek_tsv = !flags.no_zeek_tsv;
  options.zeek_json = flags.zeek_json;
  options.eve = !flags.no_eve;
  options.teams = flags.teams;
  FileSink sink(flags.out);
  auto start = std::chrono::steady_clock::now();
  auto summary = exercise::Generate(*scenario, options, sink);
  absl::Status closed = sink.Close();
  if (!summary.ok()) return ReportError(summary.status());
  if (!closed.ok()) return ReportError(closed);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  uint64_t steps = 0, lookalikes = 0, background = 0;
  boost::json::object by_label;
  for (const auto& [label, n] : summary->records_by_label) {
    by_label[label] = n;
    (label.starts_with("step:")        ? steps
     : label.starts_with("lookalike:") ? lookalikes
                                       : background) += n;
  }
  if (flags.json) {
    boost::json::object o{{"out", flags.out},
                          {"records", summary->records},
                          {"bytes", summary->bytes},
                          {"eve_bytes", summary->eve_bytes},
                          {"step_records", steps},
                          {"lookalike_records", lookalikes},
                          {"background_records", background},
                          {"records_by_label", std::move(by_label)},
                          {"seconds", seconds}};
    std::fputs((boost::json::serialize(o) + "\n").c_str(), stdout);
  } else {
    std::fprintf(
        stderr,
        "%s: %llu records (%llu of steps, %llu look-alike, %llu background), %llu bytes in %.2f s; "
        "labels in %s/truth.tsv\n",
        flags.out.c_str(), static_cast<unsigned long long>(summary->records),
        static_cast<unsigned long long>(steps), static_cast<unsigned long long>(lookalikes),
        static_cast<unsigned long long>(background),
        static_cast<unsigned long long>(summary->bytes), seconds, flags.out.c_str());
  }
  return kExitOk;
}

}  // namespace

void AddExerciseGenerate(CLI::App& exercise, GlobalOptions& global) {
  auto* cmd = exercise.add_subcommand("generate",
                                      "Write a scenario's labelled Zeek and Suricata telemetry");
  auto flags = std::make_shared<GenerateFlags>();
  cmd->add_option("scenario", flags->scenario, "Scenario file (YAML)")->required();
  cmd->add_option("--out", flags->out, "Output folder")->required();
  cmd->add_option("--attack", flags->attack,
                  "ATT&CK STIX bundle (default: the store's ATT&CK objects)");
  cmd->add_flag("--zeek-json", flags->zeek_json, "Also write Zeek JSON logs (<team>/json/)");
  cmd->add_flag("--no-zeek-tsv", flags->no_zeek_tsv, "Do not write Zeek TSV logs");
  cmd->add_flag("--no-eve", flags->no_eve, "Do not write Suricata EVE JSON");
  cmd->add_option("--time-scale", flags->time_scale,
                  "Compress time: scenario seconds per telemetry second (>= 1)")
      ->check(CLI::Range(1.0, 1e6));
  cmd->add_option("--t0", flags->t0, "Start of the telemetry (default: the scenario's t0)");
  cmd->add_option("--background-scale", flags->background_scale,
                  "Multiply every background rate by this")
      ->check(CLI::Range(0.0, 1e6));
  cmd->add_option("--team", flags->teams, "Only this team's network (repeatable)");
  cmd->add_flag("--json", flags->json, "Print the summary as one JSON object on standard output");
  cmd->callback([&global, flags] { global.exit_code = Generate(global, *flags); });
}

}  // namespace kizuna::cli
