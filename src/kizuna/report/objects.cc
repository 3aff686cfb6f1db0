// Kizuna. The brief's object figures: headline counts, by type, TLP, releasability and week.
#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "kizuna/base/status.h"
#include "kizuna/report/internal/query.h"
#include "kizuna/report/internal/sections.h"
#include "kizuna/report/labels.h"

namespace kizuna::report_internal {
namespace {

using report::DayText;
using report::kMicrosPerWeek;
using report::Period;
using report::TlpLabel;

boost::json::object Change(int64_t current, int64_t previous) {
  return {{"current", current}, {"previous", previous}};
}

}  // namespace


// The figures of one combination of period, type, TLP, releasability and week.
struct Cell {
  int period;
  std::string type;
  int tlp;
  std::string rel;
  int64_t week, objects, sightings;
};

// Rows sorted by their count, largest first, then by name.
template <typename Map>
std::vector<std::pair<std::string, typename Map::mapped_type>> ByCount(const Map& m, auto count) {
  std::vector<std::pair<std::string, typename Map::mapped_type>> out(m.begin(), m.end());
  std::stable_sort(out.begin(), out.end(), [&](const auto& a, const auto& b) { return count(a.second) > count(b.second); });
  return out;
}

absl::Status AddObjectFigures(Context& c, boost::json::object& out) {
  // One pass over the released objects; the sections are sums of its few rows.
  const Period& p = c.input.current;
  std::vector<Cell> cells;
  KZ_RETURN_IF_ERROR(ForEachRow(
      c.sql,
      // Counted by group first (integers: no join per row), then labelled.
      "SELECT x.period, x.type, a.tlp, a.rel, x.w, sum(x.c), sum(x.s) "
      "FROM (SELECT grp, period, type, CASE WHEN period = 0 THEN (date_added_us - ?1) / ?2 ELSE -1 END AS w, "
      "count(*) AS c, sum(CASE WHEN type = 'sighting' THEN n ELSE 0 END) AS s "
      "FROM brief_rows GROUP BY grp, period, w, type) x JOIN brief_allowed a ON a.grp = x.grp "
      "WHERE x.type NOT IN ('marking-definition', 'extension-definition') "
      "GROUP BY x.period, x.type, a.tlp, a.rel, x.w",
      {p.from_us, kMicrosPerWeek}, [&](const store::Statement& r) {
        cells.push_back({r.Int(0) == 0 ? 0 : 1, std::string(r.Text(1)), static_cast<int>(r.Int(2)),
                         std::string(r.Text(3)), r.Int(4), r.Int(5), r.Int(6)});
        return absl::OkStatus();
      }));
  int64_t weeks = (p.to_us - p.from_us + kMicrosPerWeek - 1) / kMicrosPerWeek;
  int64_t objects[2] = {0, 0}, indicators[2] = {0, 0}, reports[2] = {0, 0}, sightings[2] = {0, 0};
  std::map<std::string, std::pair<int64_t, int64_t>> by_type;  // type -> (current, previous)
  std::map<int, int64_t> by_tlp;
  std::map<std::string, int64_t> by_rel;
  std::vector<std::pair<int64_t, int64_t>> per_week(static_cast<size_t>(weeks), {0, 0});
  for (const Cell& x : cells) {
    objects[x.period] += x.objects;
    sightings[x.period] += x.sightings;
    if (x.type == "indicator") indicators[x.period] += x.objects;
    if (x.type == "report") reports[x.period] += x.objects;
    auto& t = by_type[x.type];
    (x.period == 0 ? t.first : t.second) += x.objects;
    if (x.period != 0) continue;
    by_tlp[x.tlp] += x.objects;
    by_rel[x.rel] += x.objects;
    if (x.week >= 0 && x.week < weeks) {
      per_week[static_cast<size_t>(x.week)].first += x.objects;
      per_week[static_cast<size_t>(x.week)].second += x.sightings;
    }
  }
  boost::json::object& headline = out["headline"].emplace_object();
  headline["objects"] = Change(objects[0], objects[1]);
  headline["indicators"] = Change(indicators[0], indicators[1]);
  headline["reports"] = Change(reports[0], reports[1]);
  headline["sightings"] = Change(sightings[0], sightings[1]);
  boost::json::array& types = out["by_type"].emplace_array();
  for (const auto& [type, n] : ByCount(by_type, [](const auto& v) { return v.first; })) {
    types.push_back({{"type", type}, {"current", n.first}, {"previous", n.second}});
  }
  boost::json::array& tlps = out["by_tlp"].emplace_array();
  for (const auto& [tlp, n] : by_tlp) {
    c.banner = std::max(c.banner, tlp);
    tlps.push_back({{"tlp", TlpLabel(tlp)}, {"objects", n}});
  }
  boost::json::array& rels = out["by_releasability"].emplace_array();
  for (const auto& [rel, n] : ByCount(by_rel, [](int64_t v) { return v; })) {
    rels.push_back({{"release", rel}, {"objects", n}});
  }
  boost::json::array& by_week = out["by_week"].emplace_array();
  for (int64_t w = 0; w < weeks; ++w) {
    const auto& [n, s] = per_week[static_cast<size_t>(w)];
    by_week.push_back({{"week", DayText(p.from_us + w * kMicrosPerWeek)}, {"objects", n}, {"sightings", s}});
  }
  return absl::OkStatus();
}

}  // namespace kizuna::report_internal
