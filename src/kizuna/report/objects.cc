// Kizuna. The brief's object figures: headline counts, by type, TLP, releasability and week.
#include <algorithm>
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


absl::Status AddObjectFigures(Context& c, boost::json::object& out) {
  boost::json::object& headline = out["headline"].emplace_object();
  int64_t objects[2] = {0, 0}, indicators[2] = {0, 0}, reports[2] = {0, 0}, sightings[2] = {0, 0};
  KZ_RETURN_IF_ERROR(ForEachRow(c.sql,
                                "SELECT period, count(*), sum(CASE WHEN type = 'indicator' THEN 1 ELSE 0 END), "
                                "sum(CASE WHEN type = 'report' THEN 1 ELSE 0 END), "
                                "sum(CASE WHEN type = 'sighting' THEN n ELSE 0 END) "
                                "FROM brief_objects GROUP BY period",
                                {}, [&](const store::Statement& r) {
                                  int p = r.Int(0) == 0 ? 0 : 1;
                                  objects[p] = r.Int(1), indicators[p] = r.Int(2), reports[p] = r.Int(3);
                                  sightings[p] = r.Int(4);
                                  return absl::OkStatus();
                                }));
  headline["objects"] = Change(objects[0], objects[1]);
  headline["indicators"] = Change(indicators[0], indicators[1]);
  headline["reports"] = Change(reports[0], reports[1]);
  headline["sightings"] = Change(sightings[0], sightings[1]);

  boost::json::array& by_type = out["by_type"].emplace_array();
  KZ_RETURN_IF_ERROR(ForEachRow(
      c.sql,
      "SELECT type, sum(CASE WHEN period = 0 THEN 1 ELSE 0 END) AS cur, "
      "sum(CASE WHEN period = 1 THEN 1 ELSE 0 END) FROM brief_objects GROUP BY type ORDER BY cur DESC, type",
      {}, [&](const store::Statement& r) {
        by_type.push_back({{"type", r.Text(0)}, {"current", r.Int(1)}, {"previous", r.Int(2)}});
        return absl::OkStatus();
      }));
  boost::json::array& by_tlp = out["by_tlp"].emplace_array();
  KZ_RETURN_IF_ERROR(ForEachRow(c.sql,
                                "SELECT tlp, count(*) FROM brief_objects WHERE period = 0 GROUP BY tlp ORDER BY tlp",
                                {}, [&](const store::Statement& r) {
                                  c.banner = std::max<int>(c.banner, static_cast<int>(r.Int(0)));
                                  by_tlp.push_back({{"tlp", TlpLabel(static_cast<int>(r.Int(0)))}, {"objects", r.Int(1)}});
                                  return absl::OkStatus();
                                }));
  boost::json::array& by_release = out["by_releasability"].emplace_array();
  KZ_RETURN_IF_ERROR(ForEachRow(
      c.sql, "SELECT rel, count(*) AS n FROM brief_objects WHERE period = 0 GROUP BY rel ORDER BY n DESC, rel", {},
      [&](const store::Statement& r) {
        by_release.push_back({{"release", r.Text(0)}, {"objects", r.Int(1)}});
        return absl::OkStatus();
      }));

  const Period& p = c.input.current;
  int64_t weeks = (p.to_us - p.from_us + kMicrosPerWeek - 1) / kMicrosPerWeek;
  std::vector<std::pair<int64_t, int64_t>> per_week(static_cast<size_t>(weeks), {0, 0});
  KZ_RETURN_IF_ERROR(ForEachRow(c.sql,
                                "SELECT (date_added_us - ?1) / ?2 AS w, count(*), "
                                "sum(CASE WHEN type = 'sighting' THEN n ELSE 0 END) "
                                "FROM brief_objects WHERE period = 0 GROUP BY w",
                                {p.from_us, kMicrosPerWeek}, [&](const store::Statement& r) {
                                  int64_t w = r.Int(0);
                                  if (w >= 0 && w < weeks) per_week[static_cast<size_t>(w)] = {r.Int(1), r.Int(2)};
                                  return absl::OkStatus();
                                }));
  boost::json::array& by_week = out["by_week"].emplace_array();
  for (int64_t w = 0; w < weeks; ++w) {
    const auto& [n, s] = per_week[static_cast<size_t>(w)];
    by_week.push_back({{"week", DayText(p.from_us + w * kMicrosPerWeek)}, {"objects", n}, {"sightings", s}});
  }
  return absl::OkStatus();
}


}  // namespace kizuna::report_internal
