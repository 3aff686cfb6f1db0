// Kizuna. The scoreboard as JSON and as a table (score.h).
#include <boost/json.hpp>
#include <cstdio>

#include "kizuna/base/strings.h"
#include "kizuna/exercise/score.h"
#include "kizuna/stix/timestamp.h"

namespace kizuna::exercise {
namespace {

boost::json::value Opt(const std::optional<double>& v) {
  if (!v) return nullptr;
  return std::round(*v * 1e6) / 1e6;
}

boost::json::value OrNull(const std::string& s) {
  if (s.empty()) return nullptr;
  return boost::json::value(s);
}

std::string Fixed(const std::optional<double>& v, int digits) {
  if (!v) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, *v);
  return buf;
}

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

}  // namespace

std::string Scoreboard::ToJson() const {
  boost::json::object root;
  root["exercise"] = exercise;
  root["title"] = title;
  root["tlp"] = tlp;
  root["t0"] = stix::FormatTaxii(t0_us);
  root["duration_s"] = duration_s;
  root["alerts"] = alerts;
  root["unlabelled_alerts"] = unlabelled_alerts;
  root["sightings"] = sightings;
  boost::json::array teams_json;
  for (const TeamScore& t : teams) {
    teams_json.push_back(boost::json::object{{"team", t.team},
                                             {"nation", t.nation},
                                             {"steps", t.steps},
                                             {"covered_steps", t.covered},
                                             {"detected", t.detected},
                                             {"detected_covered", t.detected_covered},
                                             {"deadlines_met", t.deadlines_met},
                                             {"recall", Opt(t.recall)},
                                             {"recall_covered", Opt(t.recall_covered)},
                                             {"precision", Opt(t.precision)},
                                             {"alerts", t.alerts},
                                             {"step_alerts", t.step_alerts},
                                             {"lookalike_alerts", t.lookalike_alerts},
                                             {"background_alerts", t.background_alerts},
                                             {"mean_ttd_s", Opt(t.mean_ttd_s)},
                                             {"share_to_use", t.share_to_use},
                                             {"reports_received", t.reports_received},
                                             {"releasability_violations", t.violations},
                                             {"detection_quality", Opt(t.detection_quality)},
                                             {"score", Opt(t.score)}});
  }
  root["teams"] = std::move(teams_json);
  boost::json::array steps_json;
  for (const StepScore& s : steps) {
    steps_json.push_back(boost::json::object{
        {"step", s.id},
        {"team", s.team},
        {"technique", s.technique},
        {"covered", s.covered},
        {"records", s.records},
        {"alerts", s.alerts},
        {"detected", s.detected},
        {"level", s.level},
        {"start", s.records > 0 ? boost::json::value(stix::FormatTaxii(s.start_us)) : nullptr},
        {"end", s.records > 0 ? boost::json::value(stix::FormatTaxii(s.end_us)) : nullptr},
        {"detected_at",
         s.detected_us ? boost::json::value(stix::FormatTaxii(*s.detected_us)) : nullptr},
        {"ttd_s", Opt(s.ttd_s)},
        {"ttd_scenario_s", Opt(s.ttd_scenario_s)},
        {"deadline_met", s.deadline_met},
        {"shared_from", OrNull(s.shared_from)},
        {"shared_step", OrNull(s.shared_step)}});
  }
  root["steps"] = std::move(steps_json);
  boost::json::array shares_json;
  for (const ShareScore& s : shares) {
    shares_json.push_back(boost::json::object{{"objective", s.objective},
                                              {"from", s.from},
                                              {"to", s.to},
                                              {"step", s.step},
                                              {"time_to_share_s", Opt(s.time_to_share_s)},
                                              {"shared_at", s.shared_us ? boost::json::value(stix::FormatTaxii(*s.shared_us)) : nullptr},
                                              {"met", s.met},
                                              {"used", s.used},
                                              {"time_to_use_s", Opt(s.time_to_use_s)}});
  }
  root["shares"] = std::move(shares_json);
  boost::json::array violations_json;
  for (const Violation& v : violations) {
    violations_json.push_back(boost::json::object{{"from", v.from},
                                                  {"to", v.to},
                                                  {"step", v.step},
                                                  {"indicator", v.indicator},
                                                  {"objective", v.objective},
                                                  {"kind", v.kind},
                                                  {"detail", v.detail}});
  }
  root["violations"] = std::move(violations_json);
  if (!lift.empty()) {
    boost::json::array lift_json;
    for (const TeamLift& l : lift) {
      lift_json.push_back(boost::json::object{{"team", l.team},
                                              {"recall_alone", Opt(l.recall_alone)},
                                              {"recall_shared", Opt(l.recall_shared)},
                                              {"recall_lift", Opt(l.recall_lift)},
                                              {"mean_ttd_alone_s", Opt(l.mean_ttd_alone_s)},
                                              {"mean_ttd_shared_s", Opt(l.mean_ttd_shared_s)},
                                              {"ttd_gain_s", Opt(l.ttd_gain_s)},
                                              {"steps_gained", l.steps_gained}});
    }
    root["lift"] = std::move(lift_json);
  }
  return boost::json::serialize(root) + "\n";
}

std::string Scoreboard::ToTable() const {
  std::string out =
      StrCat("exercise ", exercise, ": ", alerts, " alerts, ", sightings, " sightings\n\n");
  out +=
      "team  nation  steps  detected  recall  recall(covered)  precision  look-alike FP  "
      "background FP  mean TTD s  share-to-use  violations  score\n";
  for (const TeamScore& t : teams) {
    StrAppend(out, Pad(t.team, 6), Pad(t.nation, 8), Pad(StrCat(t.steps), 7),
              Pad(StrCat(t.detected), 10), Pad(Fixed(t.recall, 2), 8),
              Pad(Fixed(t.recall_covered, 2), 17), Pad(Fixed(t.precision, 3), 11),
              Pad(StrCat(t.lookalike_alerts), 15), Pad(StrCat(t.background_alerts), 15),
              Pad(Fixed(t.mean_ttd_s, 1), 12), Pad(StrCat(t.share_to_use), 14),
              Pad(StrCat(t.violations), 12), Fixed(t.score, 3), "\n");
  }
  out +=
      "\nstep                          team  technique  covered  detected  level      TTD s  "
      "deadline\n";
  for (const StepScore& s : steps) {
    StrAppend(out, Pad(s.id, 30), Pad(s.team, 6), Pad(s.technique, 11),
              Pad(s.covered ? "yes" : "no", 9), Pad(s.detected ? "yes" : "no", 10),
              Pad(s.level, 11), Pad(Fixed(s.ttd_scenario_s, 1), 7),
              s.detected ? (s.deadline_met ? "met" : "missed") : "-", "\n");
  }
  if (!shares.empty()) {
    out +=
        "\nsharing objective             from  to    step                          time to share s "
        " met\n";
    for (const ShareScore& s : shares) {
      StrAppend(out, Pad(s.objective, 30), Pad(s.from, 6), Pad(s.to, 6), Pad(s.step, 30),
                Pad(Fixed(s.time_to_share_s, 1), 17), s.met ? "yes" : "no",
                s.used ? "  used" : "", "\n");
    }
  }
  if (!violations.empty()) {
    out += "\nreleasability violation       from  to    step                          detail\n";
    for (const Violation& v : violations) {
      StrAppend(out, Pad(v.kind, 30), Pad(v.from, 6), Pad(v.to, 6), Pad(v.step, 30), v.detail,
                "\n");
    }
  }
  if (!lift.empty()) {
    out += "\ncoalition lift  recall alone  recall shared  lift   mean TTD alone s  shared s\n";
    for (const TeamLift& l : lift) {
      StrAppend(out, Pad(l.team, 16), Pad(Fixed(l.recall_alone, 2), 14),
                Pad(Fixed(l.recall_shared, 2), 15), Pad(Fixed(l.recall_lift, 2), 7),
                Pad(Fixed(l.mean_ttd_alone_s, 1), 18), Fixed(l.mean_ttd_shared_s, 1), "\n");
    }
  }
  return out;
}

}  // namespace kizuna::exercise
