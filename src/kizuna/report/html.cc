// Kizuna. The brief as one self-contained HTML page.
#include "kizuna/report/html.h"

#include <cstdio>
#include <map>
#include <vector>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/report/assets.h"
#include "kizuna/report/template.h"

namespace kizuna::report {
namespace {

// One cell of a table: its text (escaped when written) and its class ("n" numbers, "id",
// "code"; empty for text).
struct Cell {
  std::string text;
  std::string_view cls = {};
};

class Page {
 public:
  Page(const boost::json::object& figures, const boost::json::object& messages, Lang lang)
      : f_(figures), m_(messages), lang_(lang) {}

  // The message `key`, escaped; an error names a key the catalogue lacks.
  absl::StatusOr<std::string> Msg(std::string_view key) const { return Message(m_, key); }
  std::string M(std::string_view key) const { return Msg(key).value_or(EscapeHtml(key)); }

  // The array member `key` of the figures.
  absl::StatusOr<const boost::json::array*> Rows(std::string_view key) const {
    const boost::json::value* v = f_.if_contains(key);
    if (v == nullptr || !v->is_array()) return absl::InvalidArgumentError(StrCat("figures: '", key, "' missing"));
    return &v->get_array();
  }

  std::string Count(const boost::json::value& v) const { return FormatCount(v.is_int64() ? v.get_int64() : 0, lang_); }
  static std::string Text(const boost::json::value& v) { return v.is_string() ? std::string(v.get_string()) : ""; }

  // A table with `headers` (message keys) and `rows`, or the "empty" note.
  std::string Table(std::vector<std::string_view> headers, const std::vector<std::vector<Cell>>& rows) const {
    if (rows.empty()) return StrCat("<p class=\"empty\">", M("empty"), "</p>");
    std::string out = "<table><thead><tr>";
    for (std::string_view h : headers) StrAppend(out, "<th>", M(h), "</th>");
    out += "</tr></thead><tbody>";
    for (const auto& row : rows) {
      out += "<tr>";
      for (const Cell& c : row) {
        StrAppend(out, c.cls.empty() ? "<td>" : StrCat("<td class=\"", c.cls, "\">"), EscapeHtml(c.text), "</td>");
      }
      out += "</tr>";
    }
    return out + "</tbody></table>";
  }

  // A table of the array `key`: each row's cells from `cells`.
  template <typename F>
  absl::StatusOr<std::string> TableOf(std::string_view key, std::vector<std::string_view> headers, F cells) const {
    KZ_ASSIGN_OR_RETURN(const boost::json::array* rows, Rows(key));
    std::vector<std::vector<Cell>> out;
    for (const boost::json::value& r : *rows) {
      if (r.is_object()) out.push_back(cells(r.get_object()));
    }
    return Table(std::move(headers), out);
  }

  absl::StatusOr<std::string> Headline() const {
    const boost::json::value* h = f_.if_contains("headline");
    if (h == nullptr || !h->is_object()) return absl::InvalidArgumentError("figures: 'headline' missing");
    std::string out = "<div class=\"cards\">";
    for (std::string_view key : {"objects", "indicators", "reports", "sightings", "received", "sent"}) {
      const boost::json::value* v = h->get_object().if_contains(key);
      if (v == nullptr || !v->is_object()) return absl::InvalidArgumentError(StrCat("figures: headline '", key, "' missing"));
      int64_t cur = v->at("current").to_number<int64_t>(), prev = v->at("previous").to_number<int64_t>();
      StrAppend(out, "<div class=\"card\" data-figure=\"", key, "\"><div class=\"label\">", M(StrCat("headline.", key)),
                "</div><div class=\"value\">", FormatCount(cur, lang_), "</div><div class=\"change\">", M("change"),
                ": ", EscapeHtml(FormatChange(cur, prev, lang_)), " (", M("previous_value"), ": ",
                FormatCount(prev, lang_), ")</div></div>");
    }
    return out + "</div>";
  }

  Lang lang() const { return lang_; }
  const boost::json::object& figures() const { return f_; }

 private:
  const boost::json::object& f_;
  const boost::json::object& m_;
  Lang lang_;
};

std::string_view BannerColor(std::string_view banner) {
  if (banner == "TLP:RED") return "#ff2b2b";
  if (banner == "TLP:AMBER" || banner == "TLP:AMBER+STRICT") return "#ffc000";
  if (banner == "TLP:GREEN") return "#33ff00";
  return "#ffffff";
}

// One table per exercise held in the period: its teams' scores.
absl::StatusOr<std::string> ExercisesSection(const Page& p) {
  const boost::json::value* ex = p.figures().if_contains("exercises");
  const boost::json::value* items = ex != nullptr && ex->is_object() ? ex->get_object().if_contains("items") : nullptr;
  if (items == nullptr || !items->is_array()) return absl::InvalidArgumentError("figures: 'exercises' missing");
  if (items->get_array().empty()) return StrCat("<p class=\"empty\">", p.M("exercises.none"), "</p>");
  auto ratio = [](const boost::json::value& v, int digits) -> std::string {
    if (!v.is_number()) return "—";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v.to_number<double>());
    return buf;
  };
  std::string out;
  for (const boost::json::value& item : items->get_array()) {
    const boost::json::object& e = item.get_object();
    StrAppend(out, "<h3 data-exercise=\"", EscapeHtml(Page::Text(e.at("exercise"))), "\">",
              EscapeHtml(Page::Text(e.at("title"))), " (", EscapeHtml(FormatDay(Page::Text(e.at("from")), p.lang())),
              ", ", EscapeHtml(Page::Text(e.at("tlp"))), ")</h3>");
    std::vector<std::vector<Cell>> rows;
    for (const boost::json::value& t : e.at("teams").as_array()) {
      const boost::json::object& o = t.get_object();
      rows.push_back({{Page::Text(o.at("team"))}, {Page::Text(o.at("nation"))}, {p.Count(o.at("steps")), "n"},
                      {p.Count(o.at("detected")), "n"}, {ratio(o.at("recall"), 2), "n"},
                      {ratio(o.at("precision"), 3), "n"}, {ratio(o.at("score"), 3), "n"}});
    }
    out += p.Table({"exercise.team", "exercise.nation", "exercise.steps", "exercise.detected", "exercise.recall",
                    "exercise.precision", "exercise.score"},
                   rows);
  }
  return out;
}

absl::StatusOr<TemplateValues> Sections(const Page& p) {
  using O = boost::json::object;
  Lang lang = p.lang();
  auto n = [&](const O& o, std::string_view k) { return Cell{p.Count(o.at(k)), "n"}; };
  auto t = [&](const O& o, std::string_view k) { return Cell{Page::Text(o.at(k))}; };
  TemplateValues s;
  KZ_ASSIGN_OR_RETURN(s["headline"], p.Headline());
  KZ_ASSIGN_OR_RETURN(s["direction"], p.TableOf("by_direction", {"from", "to", "current", "previous_value"},
                                                [&](const O& o) -> std::vector<Cell> {
                                                  return {t(o, "from"), t(o, "to"), n(o, "current"), n(o, "previous")};
                                                }));
  KZ_ASSIGN_OR_RETURN(s["by_type"], p.TableOf("by_type", {"type", "current", "previous_value"},
                                              [&](const O& o) -> std::vector<Cell> {
                                                return {t(o, "type"), n(o, "current"), n(o, "previous")};
                                              }));
  KZ_ASSIGN_OR_RETURN(s["by_tlp"], p.TableOf("by_tlp", {"tlp", "objects"}, [&](const O& o) -> std::vector<Cell> {
    std::string tlp = Page::Text(o.at("tlp"));
    return {{tlp.empty() ? p.M("tlp.none") : tlp}, n(o, "objects")};
  }));
  KZ_ASSIGN_OR_RETURN(s["by_releasability"],
                      p.TableOf("by_releasability", {"release", "objects"}, [&](const O& o) -> std::vector<Cell> {
                        std::string rel = Page::Text(o.at("release"));
                        return {{rel.empty() ? p.M("release.none") : rel}, n(o, "objects")};
                      }));
  KZ_ASSIGN_OR_RETURN(s["time_to_share"],
                      p.TableOf("time_to_share", {"from", "to", "versions", "median", "p90"},
                                [&](const O& o) -> std::vector<Cell> {
                                  return {t(o, "from"), t(o, "to"), n(o, "versions"),
                                          {FormatDuration(o.at("median_s").to_number<int64_t>(), lang), "n"},
                                          {FormatDuration(o.at("p90_s").to_number<int64_t>(), lang), "n"}};
                                }));
  KZ_ASSIGN_OR_RETURN(s["sightings_by_org"],
                      p.TableOf("sightings_by_org", {"organization", "sightings"}, [&](const O& o) -> std::vector<Cell> {
                        std::string org = Page::Text(o.at("organization"));
                        return {{org.empty() ? p.M("organization.unknown") : org}, n(o, "sightings")};
                      }));
  KZ_ASSIGN_OR_RETURN(s["techniques"], p.TableOf("techniques", {"attack_id", "name", "tactic", "references"},
                                                 [&](const O& o) -> std::vector<Cell> {
                                                   return {t(o, "external_id"), t(o, "name"), t(o, "tactic"),
                                                           n(o, "references")};
                                                 }));
  KZ_ASSIGN_OR_RETURN(s["groups"], p.TableOf("groups", {"attack_id", "name", "references"},
                                             [&](const O& o) -> std::vector<Cell> {
                                               return {t(o, "external_id"), t(o, "name"), n(o, "references")};
                                             }));
  KZ_ASSIGN_OR_RETURN(s["top_indicators"], p.TableOf("top_indicators", {"name", "pattern", "sightings"},
                                                     [&](const O& o) -> std::vector<Cell> {
                                                       return {t(o, "name"), {Page::Text(o.at("pattern")), "code"},
                                                               n(o, "sightings")};
                                                     }));
  KZ_ASSIGN_OR_RETURN(
      s["federation"],
      p.TableOf("federation",
                {"peer", "nation", "received", "sent", "errors", "longest_outage", "failing", "last_success", "outage"},
                [&](const O& o) -> std::vector<Cell> {
                  const boost::json::value& last = o.at("last_success");
                  auto duration = [&](const char* key) -> Cell {
                    int64_t seconds = o.at(key).to_number<int64_t>();
                    return {seconds > 0 ? FormatDuration(seconds, lang) : "—", "n"};
                  };
                  return {t(o, "peer"), t(o, "nation"), n(o, "received"), n(o, "sent"), n(o, "errors"),
                          duration("longest_outage_s"), n(o, "failing_mappings"),
                          {last.is_string() ? FormatDay(last.get_string(), lang) : p.M("never")},
                          duration("outage_s")};
                }));
  KZ_ASSIGN_OR_RETURN(s["exercises"], ExercisesSection(p));
  KZ_ASSIGN_OR_RETURN(s["appendix"], p.TableOf("appendix", {"identifier", "name"}, [&](const O& o) -> std::vector<Cell> {
    return {{Page::Text(o.at("id")), "id"}, t(o, "name")};
  }));
  return s;
}

// The period member `key` ("period", "previous") as "FROM – TO".
std::string PeriodText(const boost::json::object& f, std::string_view key, Lang lang) {
  const boost::json::value* v = f.if_contains(key);
  if (v == nullptr || !v->is_object()) return "";
  return StrCat(FormatDay(Page::Text(v->at("from")), lang), " – ", FormatDay(Page::Text(v->at("to")), lang));
}

}  // namespace

absl::StatusOr<Lang> ParseLang(std::string_view text) {
  if (text == "en") return Lang::kEn;
  if (text == "ja") return Lang::kJa;
  return absl::InvalidArgumentError(StrCat("--lang: '", text, "' is not a language of the brief (en, ja)"));
}

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += ch;
    }
  }
  return out;
}

absl::StatusOr<std::string> RenderBrief(const boost::json::object& figures, Lang lang, int64_t generated_us) {
  boost::system::error_code ec;
  boost::json::value catalogue = boost::json::parse(CatalogueText(LangCode(lang)), ec);
  if (ec || !catalogue.is_object()) return absl::InternalError(StrCat("catalogue ", LangCode(lang), " is not a JSON object"));
  Page page(figures, catalogue.get_object(), lang);
  KZ_ASSIGN_OR_RETURN(auto values, Sections(page));
  std::string banner = figures.contains("banner") ? Page::Text(figures.at("banner")) : "";
  values["lang"] = std::string(LangCode(lang));
  values["banner"] = EscapeHtml(banner);
  values["banner_color"] = std::string(BannerColor(banner));
  values["period"] = EscapeHtml(PeriodText(figures, "period", lang));
  values["previous"] = EscapeHtml(PeriodText(figures, "previous", lang));
  const boost::json::value* audience = figures.if_contains("audience");
  if (audience != nullptr && audience->is_object()) {
    values["audience"] = StrCat(EscapeHtml(Page::Text(audience->at("name"))), " (",
                                page.M(StrCat("audience.", Page::Text(audience->at("kind")))), ")");
  }
  std::string node = figures.contains("node_nation") ? Page::Text(figures.at("node_nation")) : "";
  values["node_nation"] = node.empty() ? "—" : EscapeHtml(node);
  values["generated"] = EscapeHtml(FormatDate(generated_us, lang));
  values["figures_json"] = ScriptJson(figures);
  values["messages_json"] = ScriptJson(catalogue);
  values["echarts"] = std::string(EchartsScript());
  values["charts"] = std::string(ChartsScript());

  return FillTemplate(BriefTemplate(), values, catalogue.get_object());
}

}  // namespace kizuna::report
