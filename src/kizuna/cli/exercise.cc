// Kizuna. `kizuna exercise`: joint exercises (docs/exercise.md).
//
//   kizuna exercise validate SCENARIO [--attack BUNDLE] [--json]
//   kizuna exercise indicators SCENARIO [--attack BUNDLE] [--step ID...] [--t0 TIME]
//   kizuna exercise generate ...   (exercise_generate.cc)
//   kizuna exercise score ...      (exercise_score.cc)
//   kizuna exercise report ...     (exercise_report.cc)
//   kizuna exercise record ...     (exercise_record.cc)
//   kizuna exercise run ...        (exercise_run.cc)
//   kizuna exercise status ...     (exercise_status.cc)
//
// validate reads a scenario and checks it, its ATT&CK technique and group ids included:
// against the ATT&CK bundle --attack names, else against the ATT&CK objects held in the
// node's store. Errors name file:line. indicators writes the STIX bundle of the indicators the
// scenario's steps imply (exercise/indicators.h), exercise-marked, for `kizuna import`.
// Exit codes: 0 valid / written; 1 an invalid scenario or a failure; 2 usage.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>

#include "kizuna/base/clock.h"
#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/exercise_internal.h"
#include "kizuna/exercise/attack_catalog.h"
#include "kizuna/exercise/indicators.h"
#include "kizuna/exercise/scenario_parser.h"
#include "kizuna/policy/policy.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/store/database.h"

namespace kizuna::cli {
namespace {

struct ValidateFlags {
  std::string scenario;
  std::string attack;
  bool json = false;
};

struct IndicatorFlags {
  std::string scenario;
  std::string attack;
  std::vector<std::string> steps;
  std::string t0;
};

absl::StatusOr<exercise::AttackCatalog> Catalog(const std::string& attack,
                                                const std::string& data_dir) {
  if (!attack.empty()) {
    KZ_ASSIGN_OR_RETURN(simdjson::padded_string text,
                        ReadFile(attack, exercise::kMaxAttackBundleBytes));
    return exercise::AttackCatalog::FromBundle(std::string_view(text.data(), text.size()), attack);
  }
  auto db = OpenNodeDatabase(data_dir);
  if (!db.ok()) {
    return absl::FailedPreconditionError(
        StrCat("no ATT&CK data to check technique ids against: give --attack BUNDLE, or a "
               "--data-dir whose store "
               "holds ATT&CK (",
               db.status().message(), ")"));
  }
  policy::Policy policy(**db, db->get(), SystemClock());
  return exercise::AttackCatalog::FromStore(**db, policy);
}

int Validate(GlobalOptions& global, const ValidateFlags& flags) {
  auto scenario = LoadScenario(flags.scenario, flags.attack, global.data_dir);
  if (flags.json) {
    boost::json::object o{{"file", flags.scenario}, {"valid", scenario.ok()}};
    if (!scenario.ok()) {
      o["error"] = View(scenario.status().message());
    } else {
      o["id"] = scenario->meta.id;
      o["teams"] = scenario->teams.size();
      o["steps"] = scenario->Steps().size();
      o["injects"] = scenario->injects.size();
      o["sharing_objectives"] = scenario->sharing.size();
    }
    std::fputs((boost::json::serialize(o) + "\n").c_str(), stdout);
    return scenario.ok() ? kExitOk : kExitFailure;
  }
  if (!scenario.ok()) return ReportError(scenario.status());
  std::fprintf(stderr, "%s: valid: %zu teams, %zu steps, %zu injects, %zu sharing objectives\n",
               flags.scenario.c_str(), scenario->teams.size(), scenario->Steps().size(),
               scenario->injects.size(), scenario->sharing.size());
  return kExitOk;
}

int Indicators(GlobalOptions& global, const IndicatorFlags& flags) {
  auto scenario = LoadScenario(flags.scenario, flags.attack, global.data_dir);
  if (!scenario.ok()) return ReportError(scenario.status());
  for (const std::string& id : flags.steps) {
    if (scenario->FindStep(id) == nullptr)
      return ReportError(absl::InvalidArgumentError(StrCat("--step: no step '", id, "'")));
  }
  int64_t t0 = 0;
  if (!flags.t0.empty()) {
    auto parsed = stix::ParseMicros(flags.t0);
    if (!parsed.ok()) return ReportError(Annotate(parsed.status(), "--t0: "));
    t0 = *parsed;
  }
  std::string bundle = exercise::IndicatorBundle(*scenario, flags.steps, t0);
  std::fwrite(bundle.data(), 1, bundle.size(), stdout);
  return std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
}

}  // namespace

absl::StatusOr<exercise::Scenario> LoadScenario(const std::string& path, const std::string& attack,
                                                const std::string& data_dir) {
  KZ_ASSIGN_OR_RETURN(exercise::Scenario scenario, exercise::ReadScenario(path));
  KZ_ASSIGN_OR_RETURN(exercise::AttackCatalog catalog, Catalog(attack, data_dir));
  KZ_RETURN_IF_ERROR(exercise::CheckAttackIds(scenario, catalog));
  return scenario;
}

void AddExerciseCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "exercise", "Joint exercises: scenarios, labelled telemetry, scoring (docs/exercise.md)");
  cmd->require_subcommand(1);

  auto* validate =
      cmd->add_subcommand("validate", "Check a scenario file, its ATT&CK ids included");
  auto vflags = std::make_shared<ValidateFlags>();
  validate->add_option("scenario", vflags->scenario, "Scenario file (YAML)")->required();
  validate->add_option("--attack", vflags->attack,
                       "ATT&CK STIX bundle to resolve technique ids against (default: the ATT&CK "
                       "objects in the store)");
  validate->add_flag("--json", vflags->json, "Print the result as one JSON object");
  validate->callback([&global, vflags] { global.exit_code = Validate(global, *vflags); });

  auto* indicators = cmd->add_subcommand(
      "indicators", "Write the STIX indicators a scenario's steps imply, as a bundle");
  auto iflags = std::make_shared<IndicatorFlags>();
  indicators->add_option("scenario", iflags->scenario, "Scenario file (YAML)")->required();
  indicators->add_option("--attack", iflags->attack,
                         "ATT&CK STIX bundle (default: the store's ATT&CK objects)");
  indicators->add_option("--step", iflags->steps, "Only this step's indicators (repeatable)");
  indicators->add_option("--t0", iflags->t0,
                         "The indicators' valid_from (default: the scenario's t0)");
  indicators->callback([&global, iflags] { global.exit_code = Indicators(global, *iflags); });

  AddExerciseGenerate(*cmd, global);
  AddExerciseScore(*cmd, global);
  AddExerciseReport(*cmd, global);
  AddExerciseRecord(*cmd, global);
  AddExerciseRun(*cmd, global);
  AddExerciseStatus(*cmd, global);
}

}  // namespace kizuna::cli
