// Kizuna. The after-action report (aar.h).
#include "kizuna/exercise/aar.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <vector>

#include "kizuna/base/digest.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/exercise/internal/aar_assets.h"
#include "kizuna/report/assets.h"
#include "kizuna/report/html.h"
#include "kizuna/report/template.h"
#include "kizuna/stix/timestamp.h"

namespace kizuna::exercise {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

absl::StatusOr<const array*> Array(const object& o, std::string_view key) {
  const value* v = o.if_contains(key);
  if (v == nullptr || !v->is_array())
    return absl::InvalidArgumentError(StrCat("result: '", key, "' is missing or not a list"));
  return &v->get_array();
}

std::string Text(const object& o, std::string_view key) {
  const value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : "";
}

int64_t Int(const object& o, std::string_view key) {
  const value* v = o.if_contains(key);
  if (v == nullptr) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  return 0;
}

bool Bool(const object& o, std::string_view key) {
  const value* v = o.if_contains(key);
  return v != nullptr && v->is_bool() && v->get_bool();
}

// A ratio or a number of seconds as shown: "0.83", "—" for null.
std::string Number(const object& o, std::string_view key, int digits) {
  const value* v = o.if_contains(key);
  if (v == nullptr || !(v->is_number())) return "—";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v->to_number<double>());
  return buf;
}

object Headline(const object& result, const array& teams, const array& shares) {
  int64_t steps = 0, detected = 0, share_to_use = 0, violations = 0, met = 0;
  for (const value& t : teams) {
    steps += Int(t.get_object(), "steps");
    detected += Int(t.get_object(), "detected");
    share_to_use += Int(t.get_object(), "share_to_use");
    violations += Int(t.get_object(), "releasability_violations");
  }
  for (const value& s : shares) met += Bool(s.get_object(), "met");
  return {{"teams", teams.size()},
          {"steps", steps},
          {"detected", detected},
          {"shares", shares.size()},
          {"shares_met", met},
          {"share_to_use", share_to_use},
          {"violations", violations},
          {"alerts", Int(result, "alerts")}};
}

}  // namespace

absl::StatusOr<boost::json::object> AarFigures(const boost::json::object& result) {
  if (Text(result, "exercise").empty())
    return absl::InvalidArgumentError("result: 'exercise' is missing: not a scoreboard");
  KZ_ASSIGN_OR_RETURN(const array* teams, Array(result, "teams"));
  KZ_ASSIGN_OR_RETURN(const array* steps, Array(result, "steps"));
  KZ_ASSIGN_OR_RETURN(const array* shares, Array(result, "shares"));
  for (const array* list : {teams, steps, shares}) {
    for (const value& v : *list) {
      if (!v.is_object()) return absl::InvalidArgumentError("result: a row is not an object");
    }
  }
  std::map<std::string, std::string> nation;
  for (const value& t : *teams) nation[Text(t.get_object(), "team")] = Text(t.get_object(), "nation");
  // Timelines: each blue team's steps, their detection and when partners received them.
  array timelines;
  for (const value& t : *teams) {
    std::string team = Text(t.get_object(), "team");
    array events;
    for (const value& sv : *steps) {
      const object& s = sv.get_object();
      if (Text(s, "team") != team) continue;
      array received;
      for (const value& hv : *shares) {
        const object& h = hv.get_object();
        if (Text(h, "step") == Text(s, "step") && h.contains("shared_at") && h.at("shared_at").is_string())
          received.push_back(object{{"to", Text(h, "to")}, {"at", h.at("shared_at")}});
      }
      events.push_back(object{{"step", Text(s, "step")},
                              {"technique", Text(s, "technique")},
                              {"start", s.contains("start") ? s.at("start") : value()},
                              {"end", s.contains("end") ? s.at("end") : value()},
                              {"detected_at", s.contains("detected_at") ? s.at("detected_at") : value()},
                              {"level", Text(s, "level")},
                              {"received", std::move(received)}});
    }
    timelines.push_back(object{{"team", team}, {"nation", nation[team]}, {"steps", std::move(events)}});
  }
  // The sharing graph: one edge per (from nation, to nation).
  std::map<std::pair<std::string, std::string>, std::array<int64_t, 3>> edges;
  for (const value& hv : *shares) {
    const object& h = hv.get_object();
    auto& e = edges[{nation[Text(h, "from")], nation[Text(h, "to")]}];
    ++e[0];
    e[1] += Bool(h, "met");
    e[2] += Bool(h, "used");
  }
  array nodes, links;
  for (const auto& [team, n] : nation) nodes.push_back(object{{"nation", n}, {"team", team}});
  for (const auto& [key, e] : edges) {
    links.push_back(object{{"from", key.first}, {"to", key.second}, {"objectives", e[0]},
                           {"met", e[1]}, {"used", e[2]}});
  }
  object out;
  out["exercise"] = Text(result, "exercise");
  out["title"] = Text(result, "title");
  out["tlp"] = Text(result, "tlp");
  out["t0"] = Text(result, "t0");
  out["headline"] = Headline(result, *teams, *shares);
  out["timelines"] = std::move(timelines);
  out["graph"] = object{{"nodes", std::move(nodes)}, {"links", std::move(links)}};
  out["result"] = result;
  return out;
}

namespace {

struct Cell {
  std::string text;
  bool number = false;
};

std::string Table(const object& m, std::vector<std::string_view> headers,
                  const std::vector<std::vector<Cell>>& rows, std::string_view id) {
  auto msg = [&](std::string_view k) { return report::Message(m, k).value_or(report::EscapeHtml(k)); };
  if (rows.empty()) return StrCat("<p class=\"empty\">", msg("empty"), "</p>");
  std::string out = StrCat("<table id=\"", id, "\"><thead><tr>");
  for (std::string_view h : headers) StrAppend(out, "<th>", msg(h), "</th>");
  out += "</tr></thead><tbody>";
  for (const auto& row : rows) {
    out += "<tr>";
    for (const Cell& c : row) {
      StrAppend(out, c.number ? "<td class=\"n\">" : "<td>", report::EscapeHtml(c.text), "</td>");
    }
    out += "</tr>";
  }
  return out + "</tbody></table>";
}

std::string Cards(const object& m, const object& headline, report::Lang lang) {
  std::string out = "<div class=\"cards\">";
  for (const auto& [key, v] : headline) {
    StrAppend(out, "<div class=\"card\" data-figure=\"", std::string_view(key), "\"><div class=\"label\">",
              report::Message(m, StrCat("headline.", std::string_view(key))).value_or(""),
              "</div><div class=\"value\">", report::FormatCount(v.to_number<int64_t>(), lang),
              "</div></div>");
  }
  return out + "</div>";
}

}  // namespace

absl::StatusOr<std::string> RenderAar(const boost::json::object& figures, report::Lang lang,
                                      int64_t generated_us) {
  boost::system::error_code ec;
  value catalogue = boost::json::parse(exercise_internal::AarCatalogue(report::LangCode(lang)), ec);
  if (ec || !catalogue.is_object()) return absl::InternalError("after-action catalogue is not a JSON object");
  const object& m = catalogue.get_object();
  const value* result_v = figures.if_contains("result");
  const value* headline = figures.if_contains("headline");
  if (result_v == nullptr || !result_v->is_object() || headline == nullptr || !headline->is_object())
    return absl::InvalidArgumentError("figures: 'result' or 'headline' missing");
  const object& result = result_v->get_object();
  KZ_ASSIGN_OR_RETURN(const array* teams, Array(result, "teams"));
  KZ_ASSIGN_OR_RETURN(const array* steps, Array(result, "steps"));
  KZ_ASSIGN_OR_RETURN(const array* shares, Array(result, "shares"));
  auto n = [&](const object& o, std::string_view k) {
    return Cell{report::FormatCount(Int(o, k), lang), true};
  };
  auto r = [&](const object& o, std::string_view k, int digits) { return Cell{Number(o, k, digits), true}; };
  auto t = [&](const object& o, std::string_view k) { return Cell{Text(o, k)}; };
  auto yes = [&](const object& o, std::string_view k) {
    return Cell{report::Message(m, Bool(o, k) ? "yes" : "no").value_or("")};
  };
  std::vector<std::vector<Cell>> team_rows, step_rows, share_rows, violation_rows, lift_rows;
  for (const value& v : *teams) {
    const object& o = v.get_object();
    team_rows.push_back({t(o, "team"), t(o, "nation"), n(o, "steps"), n(o, "detected"), r(o, "recall", 2),
                         r(o, "recall_covered", 2), r(o, "precision", 3), n(o, "lookalike_alerts"),
                         n(o, "background_alerts"), r(o, "mean_ttd_s", 1), r(o, "detection_quality", 2),
                         n(o, "share_to_use"), n(o, "releasability_violations"), r(o, "score", 3)});
  }
  for (const value& v : *steps) {
    const object& o = v.get_object();
    step_rows.push_back({t(o, "step"), t(o, "team"), t(o, "technique"), yes(o, "covered"), yes(o, "detected"),
                         t(o, "level"), r(o, "ttd_scenario_s", 1), yes(o, "deadline_met"), t(o, "shared_from")});
  }
  for (const value& v : *shares) {
    const object& o = v.get_object();
    share_rows.push_back({t(o, "objective"), t(o, "from"), t(o, "to"), t(o, "step"), r(o, "time_to_share_s", 1),
                          yes(o, "met"), yes(o, "used"), r(o, "time_to_use_s", 1)});
  }
  if (auto violations = Array(result, "violations"); violations.ok()) {
    for (const value& v : **violations) {
      if (!v.is_object()) continue;
      const object& o = v.get_object();
      violation_rows.push_back({t(o, "kind"), t(o, "from"), t(o, "to"), t(o, "step"), t(o, "objective"),
                                t(o, "detail")});
    }
  }
  if (auto lift = Array(result, "lift"); lift.ok()) {
    for (const value& v : **lift) {
      if (!v.is_object()) continue;
      const object& o = v.get_object();
      lift_rows.push_back({t(o, "team"), r(o, "recall_alone", 2), r(o, "recall_shared", 2), r(o, "recall_lift", 2),
                           n(o, "steps_gained"), r(o, "ttd_gain_s", 1)});
    }
  }
  report::TemplateValues values;
  values["lang"] = std::string(report::LangCode(lang));
  values["title"] = report::EscapeHtml(Text(figures, "title"));
  values["exercise"] = report::EscapeHtml(Text(figures, "exercise"));
  std::string tlp = Text(figures, "tlp");
  for (char& c : tlp) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  values["banner"] = report::EscapeHtml(StrCat("TLP:", tlp.empty() ? "AMBER" : tlp));
  auto t0 = stix::ParseMicros(Text(figures, "t0"));
  values["t0"] = t0.ok() ? report::EscapeHtml(report::FormatDate(*t0, lang)) : "—";
  values["generated"] = report::EscapeHtml(report::FormatDate(generated_us, lang));
  values["headline"] = Cards(m, headline->get_object(), lang);
  values["teams"] = Table(m, {"team", "nation", "steps", "detected", "recall", "recall_covered", "precision",
                              "lookalike_alerts", "background_alerts", "mean_ttd_s", "detection_quality",
                              "share_to_use", "violations", "score"},
                          team_rows, "teams-table");
  values["steps"] = Table(m, {"step", "team", "technique", "covered", "detected", "level", "ttd_scenario_s",
                              "deadline_met", "shared_from"},
                          step_rows, "steps-table");
  values["shares"] = Table(m, {"objective", "from", "to", "step", "time_to_share_s", "met", "used", "time_to_use_s"},
                           share_rows, "shares-table");
  values["violations"] = Table(m, {"kind", "from", "to", "step", "objective", "detail"}, violation_rows,
                               "violations-table");
  values["lift"] = lift_rows.empty()
                       ? StrCat("<p class=\"empty\">", report::Message(m, "lift.none").value_or(""), "</p>")
                       : Table(m, {"team", "recall_alone", "recall_shared", "recall_lift", "steps_gained",
                                   "ttd_gain_s"},
                               lift_rows, "lift-table");
  values["figures_json"] = report::ScriptJson(figures);
  values["messages_json"] = report::ScriptJson(catalogue);
  values["echarts"] = std::string(report::EchartsScript());
  values["charts"] = std::string(exercise_internal::AarScript());
  // Only these two scripts may run: no inline event handler, nothing loaded.
  for (const char* key : {"echarts", "charts"}) {
    Sha256Digest digest = Sha256(values[key]);
    StrAppend(values["script_hashes"], "'sha256-",
              Base64Encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size())),
              "' ");
  }
  return report::FillTemplate(exercise_internal::AarTemplate(), values, m);
}

}  // namespace kizuna::exercise
