// Kizuna.
#include "kizuna/exercise/score.h"

#include <algorithm>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/event_time.h"
#include "kizuna/exercise/indicators.h"
#include "kizuna/exercise/internal/lines.h"
#include "simdjson.h"

namespace kizuna::exercise {
namespace {

// Weights used when the scenario's scoring.weights names none.
constexpr double kDefaultDetectionWeight = 0.6;
constexpr double kDefaultPrecisionWeight = 0.3;
constexpr double kDefaultTimelinessWeight = 0.1;

std::string_view Str(simdjson::dom::element e, const char* key) {
  std::string_view s;
  if (e[key].get(s) != simdjson::SUCCESS) return {};
  return s;
}

// The objects list of a bundle, envelope or manifest.
absl::StatusOr<simdjson::dom::array> Objects(simdjson::dom::parser& parser, std::string_view text,
                                             std::string_view origin) {
  // `objects` is optional in all three: an envelope with nothing in it is `{}` or
  // `{"more": false}` (TAXII 2.1, Get Objects), a bundle may have none either.
  static const simdjson::padded_string kNone(std::string_view(R"({"objects":[]})"));
  simdjson::dom::element doc;
  simdjson::dom::array objects;
  simdjson::dom::object top;
  bool parsed = parser.parse(text.data(), text.size(), true).get(doc) == simdjson::SUCCESS &&
                doc.get(top) == simdjson::SUCCESS;
  if (parsed && top["objects"].error() == simdjson::NO_SUCH_FIELD) {
    parsed = parser.parse(kNone).get(doc) == simdjson::SUCCESS;
  }
  if (!parsed || doc["objects"].get(objects) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        StrCat(origin, ": expected a STIX bundle, TAXII envelope or manifest"));
  }
  return objects;
}

}  // namespace

Scorer::Scorer(const Scenario& scenario, const GroundTruth& truth, double time_scale)
    : scenario_(scenario), truth_(truth), time_scale_(time_scale), steps_(scenario.Steps()) {
  for (const std::string& f : truth.files()) file_team_.push_back(f.substr(0, f.find('/')));
  for (const std::string& label : truth.labels()) {
    int step = -1;
    if (label.starts_with(kStepLabelPrefix)) {
      std::string_view id = std::string_view(label).substr(kStepLabelPrefix.size());
      for (size_t i = 0; i < steps_.size(); ++i) {
        if (steps_[i]->id == id) step = static_cast<int>(i);
      }
    }
    label_step_.push_back(step);
    label_lookalike_.push_back(label.starts_with(kLookalikeLabelPrefix) ? 1 : 0);
  }
  for (size_t i = 0; i < steps_.size(); ++i) {
    for (const std::string& p : StepPatterns(scenario, *steps_[i])) {
      indicator_step_[IndicatorId(scenario.meta.id, steps_[i]->id, p)] = static_cast<int>(i);
    }
  }
}

void Scorer::Detect(const std::string& team, const std::string& step, int64_t time_us,
                    bool own_indicator, const std::vector<int>& indicators) {
  Hit& h = hits_[{team, step}];
  ++h.alerts;
  if (time_us < h.time_us) h.first_indicators.clear();
  if (time_us <= h.time_us) {
    h.first_indicators.insert(h.first_indicators.end(), indicators.begin(), indicators.end());
  }
  h.time_us = std::min(h.time_us, time_us);
  h.own_indicator = h.own_indicator || own_indicator;
}

absl::Status Scorer::AddAlerts(std::string_view text, std::string_view origin) {
  simdjson::dom::parser parser;
  absl::flat_hash_map<std::string, int> files;
  std::vector<int> matched;
  return exercise_internal::ForEachLine(
      text, [&](uint64_t line_no, std::string_view line) -> absl::Status {
        auto bad = [&](std::string_view what) {
          return absl::InvalidArgumentError(StrCat(origin, ":", line_no, ": ", what));
        };
        if (line.size() > kMaxAlertLineBytes) return bad("line too long");
        simdjson::dom::element alert;
        uint64_t record_line = 0;
        if (parser.parse(line.data(), line.size(), true).get(alert) != simdjson::SUCCESS)
          return bad("not JSON");
        if (alert["line"].get(record_line) != simdjson::SUCCESS)
          return bad("not an alert (no \"line\")");
        std::string_view input = Str(alert, "input");
        auto [it, inserted] = files.try_emplace(AbslView(input), 0);
        if (inserted) it->second = truth_.FindFile(input);
        ++alerts_;
        uint32_t label = truth_.LabelAt(it->second, record_line);
        if (label == GroundTruth::kNoLabel) {
          ++unlabelled_;
          return absl::OkStatus();
        }
        const std::string& team = file_team_[it->second];
        TeamScore& counts = counts_[team];
        ++counts.alerts;
        int step = label_step_[label];
        if (step < 0) {
          ++(label_lookalike_[label] ? counts.lookalike_alerts : counts.background_alerts);
          return absl::OkStatus();
        }
        ++counts.step_alerts;
        bool own = false;
        matched.clear();
        simdjson::dom::array matches;
        if (alert["matches"].get(matches) == simdjson::SUCCESS) {
          for (simdjson::dom::element m : matches) {
            auto found = indicator_step_.find(AbslView(Str(m, "indicator")));
            if (found == indicator_step_.end()) continue;
            own = own || found->second == step;
            matched.push_back(found->second);
          }
        }
        std::optional<int64_t> time = detect::ParseEventTime(Str(alert, "time"));
        Detect(team, steps_[step]->id, time.value_or(INT64_MAX), own, matched);
        return absl::OkStatus();
      });
}

absl::StatusOr<simdjson::dom::array> Scorer::TeamObjects(simdjson::dom::parser& parser,
                                                         std::string_view text,
                                                         std::string_view team,
                                                         std::string_view origin) const {
  if (scenario_.FindTeam(team) == nullptr)
    return absl::InvalidArgumentError(StrCat("no team '", team, "'"));
  return Objects(parser, text, origin);
}

absl::Status Scorer::AddSightings(std::string_view text, std::string_view team,
                                  std::string_view origin) {
  simdjson::dom::parser parser;
  KZ_ASSIGN_OR_RETURN(simdjson::dom::array objects, TeamObjects(parser, text, team, origin));
  for (simdjson::dom::element o : objects) {
    if (Str(o, "type") != "sighting") continue;
    auto found = indicator_step_.find(AbslView(Str(o, "sighting_of_ref")));
    if (found == indicator_step_.end()) continue;
    ++sightings_;
    std::optional<int64_t> time = detect::ParseEventTime(Str(o, "first_seen"));
    // A sighting of another step's indicator is that step's detection by `team` (its
    // sighting_of_ref names no record of `team`'s own steps).
    Detect(std::string(team), steps_[found->second]->id, time.value_or(INT64_MAX), true,
           {found->second});
  }
  return absl::OkStatus();
}

absl::Status Scorer::AddShared(std::string_view text, std::string_view team,
                               std::string_view origin) {
  simdjson::dom::parser parser;
  KZ_ASSIGN_OR_RETURN(simdjson::dom::array objects, TeamObjects(parser, text, team, origin));
  for (simdjson::dom::element o : objects) {
    if (Str(o, "type") == "marking-definition") {
      auto facts = policy::ReadMarkingDefinition(simdjson::minify(o));
      if (facts.ok()) marking_defs_.try_emplace(std::string(Str(o, "id")), *std::move(facts));
      continue;
    }
    std::optional<int64_t> added = detect::ParseEventTime(Str(o, "date_added"));
    if (Str(o, "type") == "report") {
      // A partner's report naming a step's indicator tells the team of the step as well.
      reports_[std::string(team)].emplace(Str(o, "id"));
      simdjson::dom::array refs;
      if (!added || o["object_refs"].get(refs) != simdjson::SUCCESS) continue;
      for (simdjson::dom::element ref : refs) {
        std::string_view id;
        if (ref.get(id) != simdjson::SUCCESS) continue;
        if (auto step = indicator_step_.find(AbslView(id)); step != indicator_step_.end()) {
          Shared(team, steps_[step->second]->id, *added);
        }
      }
      continue;
    }
    // A partner's sighting of a step's indicator tells the team of the step as well.
    const bool sighting = Str(o, "type") == "sighting";
    auto found = indicator_step_.find(AbslView(Str(o, sighting ? "sighting_of_ref" : "id")));
    if (found == indicator_step_.end()) continue;
    if (sighting) {
      if (added) Shared(team, steps_[found->second]->id, *added);
      continue;
    }
    Received& r = received_[{std::string(team), std::string(Str(o, "id"))}];
    simdjson::dom::array refs;
    if (o["object_marking_refs"].get(refs) == simdjson::SUCCESS) {
      std::vector<std::string> markings;
      for (simdjson::dom::element m : refs) {
        std::string_view ref;
        if (m.get(ref) == simdjson::SUCCESS) markings.emplace_back(ref);
      }
      if (!r.markings) r.markings = std::move(markings);
    }
    if (added) Shared(team, steps_[found->second]->id, *added);
  }
  return absl::OkStatus();
}

void Scorer::Shared(std::string_view team, const std::string& step, int64_t date_added_us) {
  std::vector<int64_t>& times = shared_[{std::string(team), step}];
  times.insert(std::upper_bound(times.begin(), times.end(), date_added_us), date_added_us);
}

Scoreboard Scorer::Finish() const {
  Scoreboard b;
  b.exercise = scenario_.meta.id;
  b.title = scenario_.meta.title, b.tlp = scenario_.meta.tlp;
  b.t0_us = scenario_.meta.t0_us, b.duration_s = scenario_.meta.duration_s;
  b.alerts = alerts_;
  b.unlabelled_alerts = unlabelled_;
  b.sightings = sightings_;
  std::map<std::string, uint32_t> label_of;
  for (size_t i = 0; i < truth_.labels().size(); ++i)
    label_of[truth_.labels()[i]] = static_cast<uint32_t>(i);
  std::map<std::string, double> ladder_sum, ttd_sum;
  for (const Step* step : steps_) {
    StepScore& s = b.steps.emplace_back();
    s.id = step->id, s.team = step->team, s.technique = step->technique;
    s.covered = !StepPatterns(scenario_, *step).empty();
    auto label = label_of.find(StrCat(kStepLabelPrefix, step->id));
    if (label != label_of.end()) {
      s.records = truth_.stats()[label->second].records;
      s.start_us = truth_.stats()[label->second].first_us;
      s.end_us = truth_.stats()[label->second].last_us;
    }
    auto hit = hits_.find({step->team, step->id});
    if (hit != hits_.end()) {
      s.detected = true;
      s.alerts = hit->second.alerts;
      s.level = hit->second.own_indicator ? "technique" : "general";
      if (hit->second.time_us != INT64_MAX && s.records > 0) {
        s.detected_us = hit->second.time_us;
        s.ttd_s = static_cast<double>(hit->second.time_us - s.start_us) / 1e6;
        s.ttd_scenario_s = *s.ttd_s * time_scale_;
        s.deadline_met = step->detection.deadline_s == 0 ||
                         *s.ttd_scenario_s <= static_cast<double>(step->detection.deadline_s);
      }
    }
    ladder_sum[s.team] += s.level == "technique" ? 1.0 : s.level == "general" ? 0.5 : 0.0;
    if (s.ttd_s) ttd_sum[s.team] += *s.ttd_s;
  }
  auto weight = [&](const char* name, double fallback) {
    auto it = scenario_.weights.find(name);
    return it == scenario_.weights.end() ? fallback : it->second;
  };
  double wd = weight("detection", kDefaultDetectionWeight),
         wp = weight("precision", kDefaultPrecisionWeight);
  double wt = weight("timeliness", kDefaultTimelinessWeight);
  for (const Team& team : scenario_.teams) {
    if (team.role != TeamRole::kBlue) continue;  // the white and red cells are not scored
    auto c = counts_.find(team.id);
    TeamScore t = c == counts_.end() ? TeamScore{} : c->second;
    t.team = team.id, t.nation = team.nation;
    if (auto r = reports_.find(team.id); r != reports_.end()) t.reports_received = r->second.size();
    for (const StepScore& s : b.steps) {
      if (s.team != team.id) continue;
      ++t.steps;
      t.covered += s.covered;
      t.detected += s.detected;
      t.detected_covered += s.detected && s.covered;
      t.deadlines_met += s.deadline_met;
    }
    if (t.steps > 0) {
      t.recall = static_cast<double>(t.detected) / static_cast<double>(t.steps);
      t.detection_quality = ladder_sum[team.id] / static_cast<double>(t.steps);
    }
    if (t.covered > 0)
      t.recall_covered = static_cast<double>(t.detected_covered) / static_cast<double>(t.covered);
    if (t.alerts > 0)
      t.precision = static_cast<double>(t.step_alerts) / static_cast<double>(t.alerts);
    if (t.detected > 0 && ttd_sum.contains(team.id))
      t.mean_ttd_s = ttd_sum[team.id] / static_cast<double>(t.detected);
    if (t.steps == 0 && t.alerts == 0) {
      b.teams.push_back(t);
      continue;
    }
    double timeliness =
        t.steps > 0 ? static_cast<double>(t.deadlines_met) / static_cast<double>(t.steps) : 0;
    double precision = t.precision.value_or(t.alerts == 0 ? 1.0 : 0.0);
    double total = wd + wp + wt;
    t.score = total > 0 ? (wd * t.detection_quality + wp * precision + wt * timeliness) / total : 0;
    b.teams.push_back(t);
  }
  for (const SharingObjective& o : scenario_.sharing) {
    auto hit = hits_.find({o.from, o.step});
    for (const std::string& to : o.to) {
      ShareScore& s = b.shares.emplace_back();
      s.objective = o.id, s.from = o.from, s.to = to, s.step = o.step;
      auto shared = shared_.find({to, o.step});
      if (hit == hits_.end() || hit->second.time_us == INT64_MAX || shared == shared_.end())
        continue;
      // The first arrival since `from` detected the step; an earlier one came from elsewhere.
      const std::vector<int64_t>& times = shared->second;
      auto since = std::lower_bound(times.begin(), times.end(), hit->second.time_us);
      s.shared_us = since != times.end() ? *since : times.front();
      s.time_to_share_s = static_cast<double>(*s.shared_us - hit->second.time_us) / 1e6;
      s.met = o.by_s == 0 || *s.time_to_share_s * time_scale_ <= static_cast<double>(o.by_s);
    }
  }
  ScoreShareToUse(b);
  ScoreViolations(b);
  return b;
}

}  // namespace kizuna::exercise
