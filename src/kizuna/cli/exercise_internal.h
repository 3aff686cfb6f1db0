// Kizuna. What the `kizuna exercise` subcommands share (exercise*.cc).
#pragma once

// Thread-safety: single-threaded, used only by main().

#include <string>

#include "absl/status/statusor.h"
#include "kizuna/cli/command.h"
#include "kizuna/exercise/scenario.h"
#include "kizuna/report/format.h"

namespace CLI {
class App;
}

namespace kizuna::cli {

// Reads the scenario at `path` and checks its ATT&CK ids against the bundle at `attack`, or,
// when `attack` is empty, against the ATT&CK objects of the node's store in `data_dir`.
absl::StatusOr<exercise::Scenario> LoadScenario(const std::string& path, const std::string& attack,
                                                const std::string& data_dir);

// Writes the after-action report (exercise/aar.h) of the scoreboard `result_json` (read from
// `origin`, named in errors) to `html_path` and, unless empty, its figures to `json_path`.
// Returns the one-line summary to print; InvalidArgument for a malformed scoreboard, or the
// write's error naming the file.
absl::StatusOr<std::string> WriteAfterActionReport(std::string_view result_json,
                                                   std::string_view origin,
                                                   const std::string& html_path,
                                                   const std::string& json_path, report::Lang lang);

void AddExerciseGenerate(CLI::App& exercise, GlobalOptions& global);
void AddExerciseScore(CLI::App& exercise, GlobalOptions& global);
void AddExerciseReport(CLI::App& exercise, GlobalOptions& global);
void AddExerciseRecord(CLI::App& exercise, GlobalOptions& global);
void AddExerciseRun(CLI::App& exercise, GlobalOptions& global);
void AddExerciseStatus(CLI::App& exercise, GlobalOptions& global);

}  // namespace kizuna::cli
