// Kizuna. Coalition lift (lift.h).
#include "kizuna/exercise/lift.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/compiler.h"
#include "kizuna/detect/match_run.h"
#include "kizuna/exercise/indicators.h"

namespace kizuna::exercise {
namespace {

// The steps whose implied indicators team `team` matches with: its own, and with `shared`
// those the sharing objectives bring it.
std::set<std::string> IndicatorSteps(const Scenario& scenario, const std::string& team,
                                     bool shared) {
  std::set<std::string> steps;
  for (const Step* s : scenario.Steps()) {
    if (s->team == team) steps.insert(s->id);
  }
  if (!shared) return steps;
  for (const SharingObjective& o : scenario.sharing) {
    if (std::find(o.to.begin(), o.to.end(), team) != o.to.end()) steps.insert(o.step);
  }
  return steps;
}

// Matches every blue team's telemetry with its indicators and scores the alerts.
absl::StatusOr<Scoreboard> MatchAndScore(const Scenario& scenario, const GroundTruth& truth,
                                         const std::string& dir, double time_scale,
                                         int threads, bool shared) {
  std::string alerts;
  for (const Team& team : scenario.teams) {
    if (team.role != TeamRole::kBlue) continue;
    detect::CompileOptions options;
    options.now_us = scenario.meta.t0_us;
    options.threads = threads;
    detect::IndicatorCompiler compiler(options);
    for (const std::string& step_id : IndicatorSteps(scenario, team.id, shared)) {
      const Step* step = scenario.FindStep(step_id);
      if (step == nullptr) continue;
      for (const std::string& p : StepPatterns(scenario, *step)) {
        compiler.AddPattern(IndicatorId(scenario.meta.id, step->id, p), p);
      }
    }
    std::string folder = StrCat(dir, "/", team.id);
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec)) continue;  // no telemetry for the team
    KZ_ASSIGN_OR_RETURN(std::shared_ptr<const detect::Snapshot> snapshot,
                        std::move(compiler).Finish());
    KZ_ASSIGN_OR_RETURN(std::vector<std::string> inputs,
                        detect::ExpandInputs({folder}));
    detect::LiveSnapshot live(std::move(snapshot));
    detect::MatchOptions match;
    match.threads = threads;
    detect::MatchRun run(live, match, [&](std::string_view lines) { alerts.append(lines); });
    run.Run(inputs);
  }
  Scorer scorer(scenario, truth, time_scale);
  KZ_RETURN_IF_ERROR(scorer.AddAlerts(alerts, StrCat("alerts (", shared ? "shared" : "alone", ")")));
  return scorer.Finish();
}

}  // namespace

absl::StatusOr<std::vector<TeamLift>> MeasureLift(const Scenario& scenario,
                                                  const GroundTruth& truth,
                                                  const std::string& telemetry_dir,
                                                  double time_scale, int threads) {
  std::error_code ec;
  if (!std::filesystem::is_directory(telemetry_dir, ec)) {
    return absl::NotFoundError(StrCat(telemetry_dir, ": no such folder of generated telemetry"));
  }
  KZ_ASSIGN_OR_RETURN(Scoreboard alone,
                      MatchAndScore(scenario, truth, telemetry_dir, time_scale, threads, false));
  KZ_ASSIGN_OR_RETURN(Scoreboard shared,
                      MatchAndScore(scenario, truth, telemetry_dir, time_scale, threads, true));
  std::vector<TeamLift> out;
  for (size_t i = 0; i < alone.teams.size() && i < shared.teams.size(); ++i) {
    const TeamScore& a = alone.teams[i];
    const TeamScore& s = shared.teams[i];
    TeamLift& l = out.emplace_back();
    l.team = a.team;
    l.recall_alone = a.recall, l.recall_shared = s.recall;
    if (a.recall && s.recall) l.recall_lift = *s.recall - *a.recall;
    l.mean_ttd_alone_s = a.mean_ttd_s, l.mean_ttd_shared_s = s.mean_ttd_s;
    double gain = 0;
    uint64_t both = 0;
    for (size_t j = 0; j < alone.steps.size() && j < shared.steps.size(); ++j) {
      const StepScore& sa = alone.steps[j];
      const StepScore& ss = shared.steps[j];
      if (sa.team != a.team) continue;
      if (!sa.detected && ss.detected) ++l.steps_gained;
      if (sa.ttd_s && ss.ttd_s) {
        gain += *sa.ttd_s - *ss.ttd_s;
        ++both;
      }
    }
    if (both > 0) l.ttd_gain_s = gain / static_cast<double>(both);
  }
  return out;
}

}  // namespace kizuna::exercise
