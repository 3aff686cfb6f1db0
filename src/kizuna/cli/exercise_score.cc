// Kizuna. `kizuna exercise score SCENARIO --truth FILE --alerts FILE...`: the exercise metrics.
//
//   kizuna exercise score SCENARIO --truth DIR/truth.tsv [--alerts FILE...]
//                         [--sightings TEAM=FILE...] [--shared TEAM=FILE...]
//                         [--time-scale S] [--attack BUNDLE] [--json]
//                         [--lift [--telemetry DIR] [--threads N]]
//
// --alerts: alert lines written by `kizuna match --alerts` over the generated telemetry;
// --sightings: a STIX bundle or TAXII envelope of sightings made by TEAM's node (its
// sightings collection, exported or read over TAXII); --shared: a TAXII manifest of TEAM's
// node, whose date_added of a step's indicator gives the time to share; --time-scale: the one
// the telemetry was generated with; --lift: also match each blue team's telemetry (DIR, by
// default the truth file's folder) with and without the partners' shared indicators and
// report the coalition lift (exercise/lift.h). Prints the scoreboard as a table, or with --json as one
// JSON object (every metric is defined in docs/exercise.md). The same inputs give the same
// output. Exit codes: 0 scored; 1 an unreadable or malformed input; 2 usage.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "kizuna/base/file.h"
#include "kizuna/base/input_file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/exercise_internal.h"
#include "kizuna/cli/exercise_nodes.h"
#include "kizuna/exercise/lift.h"
#include "kizuna/exercise/score.h"

namespace kizuna::cli {
namespace {

// Largest truth, alert or sightings file read, in bytes.
constexpr uint64_t kMaxScoreInputBytes = uint64_t{64} << 30;

struct ScoreFlags {
  std::string scenario;
  std::string attack;
  std::string truth;
  std::vector<std::string> alerts;
  std::vector<std::string> sightings;
  std::vector<std::string> shared;
  double time_scale = 1;
  bool json = false;
  bool lift = false;
  std::string telemetry;
  int threads = 2;
};

absl::Status AddTeamFiles(exercise::Scorer& scorer, std::string_view flag,
                          const std::vector<std::string>& values, bool sightings) {
  for (const std::string& value : values) {
    std::string team, file;
    KZ_RETURN_IF_ERROR(SplitTeamValue(flag, value, team, file));
    KZ_ASSIGN_OR_RETURN(simdjson::padded_string text, ReadFile(file, kMaxScoreInputBytes));
    std::string_view view(text.data(), text.size());
    KZ_RETURN_IF_ERROR(sightings ? scorer.AddSightings(view, team, file)
                                 : scorer.AddShared(view, team, file));
  }
  return absl::OkStatus();
}

absl::Status Score(GlobalOptions& global, const ScoreFlags& flags, std::string& out) {
  KZ_ASSIGN_OR_RETURN(exercise::Scenario scenario,
                      LoadScenario(flags.scenario, flags.attack, global.data_dir));
  KZ_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> truth_file,
                      InputFile::Open(flags.truth, kMaxScoreInputBytes));
  KZ_ASSIGN_OR_RETURN(exercise::GroundTruth truth,
                      exercise::GroundTruth::Parse(truth_file->text(), flags.truth));
  exercise::Scorer scorer(scenario, truth, flags.time_scale);
  for (const std::string& path : flags.alerts) {
    KZ_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> alerts,
                        InputFile::Open(path, kMaxScoreInputBytes));
    KZ_RETURN_IF_ERROR(scorer.AddAlerts(alerts->text(), path));
  }
  KZ_RETURN_IF_ERROR(AddTeamFiles(scorer, "--sightings", flags.sightings, true));
  KZ_RETURN_IF_ERROR(AddTeamFiles(scorer, "--shared", flags.shared, false));
  exercise::Scoreboard board = scorer.Finish();
  if (flags.lift) {
    std::string dir = flags.telemetry;
    if (dir.empty()) {
      size_t slash = flags.truth.rfind('/');
      dir = slash == std::string::npos ? "." : flags.truth.substr(0, slash);
    }
    KZ_ASSIGN_OR_RETURN(board.lift, exercise::MeasureLift(scenario, truth, dir, flags.time_scale,
                                                          flags.threads));
  }
  out = flags.json ? board.ToJson() : board.ToTable();
  return absl::OkStatus();
}

}  // namespace

void AddExerciseScore(CLI::App& exercise, GlobalOptions& global) {
  auto* cmd = exercise.add_subcommand(
      "score", "Score detections and shares against a scenario's ground truth");
  auto flags = std::make_shared<ScoreFlags>();
  cmd->add_option("scenario", flags->scenario, "Scenario file (YAML)")->required();
  cmd->add_option("--truth", flags->truth, "truth.tsv written by `kizuna exercise generate`")
      ->required();
  cmd->add_option("--alerts", flags->alerts,
                  "Alerts written by `kizuna match --alerts` (repeatable)");
  cmd->add_option("--sightings", flags->sightings,
                  "TEAM=FILE: sightings (STIX bundle or TAXII envelope) of TEAM's node");
  cmd->add_option("--shared", flags->shared,
                  "TEAM=FILE: a TAXII manifest of TEAM's node (time to share)");
  cmd->add_option("--time-scale", flags->time_scale,
                  "The --time-scale the telemetry was generated with")
      ->check(CLI::Range(1.0, 1e6));
  cmd->add_option("--attack", flags->attack,
                  "ATT&CK STIX bundle (default: the store's ATT&CK objects)");
  cmd->add_flag("--json", flags->json, "Print the scoreboard as one JSON object");
  cmd->add_flag("--lift", flags->lift,
                "Also measure the coalition lift: match each blue team's telemetry with and "
                "without the indicators partners share with it");
  cmd->add_option("--telemetry", flags->telemetry,
                  "With --lift: the folder `exercise generate` wrote (default: the truth "
                  "file's folder)");
  cmd->add_option("--threads", flags->threads, "With --lift: matching threads")
      ->check(CLI::Range(1, 64));
  cmd->callback([&global, flags] {
    std::string out;
    absl::Status status = Score(global, *flags, out);
    if (!status.ok()) {
      global.exit_code = ReportError(status);
      return;
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    global.exit_code = std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
  });
}

}  // namespace kizuna::cli
