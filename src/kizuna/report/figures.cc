// Kizuna. The figures of the periodic brief.
#include "kizuna/report/figures.h"

#include <algorithm>
#include <memory>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/report/internal/query.h"
#include "kizuna/report/internal/sections.h"
#include "kizuna/report/labels.h"
#include "kizuna/report/released_rows.h"

namespace kizuna::report {
namespace {

using report_internal::Context;
using report_internal::ForEachRow;

boost::json::object PeriodJson(const Period& p) {
  return {{"from", DayText(p.from_us)}, {"to", DayText(p.to_us - kMicrosPerDay)}};
}


}  // namespace

store::ReportScope BriefScope(const BriefInput& input) {
  store::ReportScope scope;
  for (const store::Collection& c : input.audience.collections) scope.collections.push_back(c.id);
  // Both periods, [from, to) each: (from - 1, to - 1].
  scope.after_us = std::min(input.current.from_us, input.previous.from_us) - 1;
  scope.through_us = std::max(input.current.to_us, input.previous.to_us) - 1;
  scope.current_only = true;
  scope.json_of_refs = true;
  return scope;
}

absl::StatusOr<boost::json::object> ComputeFigures(store::Database& db, policy::Policy& policy,
                                                   const BriefInput& input) {
  if (input.top < 1 || input.top > kMaxTop) {
    return absl::InvalidArgumentError(StrCat("--top: ", input.top, " is not in 1..", kMaxTop));
  }
  KZ_ASSIGN_OR_RETURN(std::unique_ptr<store::Connection> view,
                      db.OpenReportView(BriefScope(input)));
  store::Connection& sql = *view;
  ReleasedRows rows(sql, policy, db);
  KZ_RETURN_IF_ERROR(rows.Build(input.audience, input.current, input.previous));
  Context c{sql, db, policy, rows, input};
  boost::json::object out;
  out["audience"] = {{"kind", AudienceKindName(input.audience.kind)}, {"name", input.audience.name}};
  out["period"] = PeriodJson(input.current);
  out["previous"] = PeriodJson(input.previous);
  KZ_RETURN_IF_ERROR(report_internal::AddObjectFigures(c, out));
  KZ_RETURN_IF_ERROR(report_internal::AddFlowFigures(c, out));
  KZ_RETURN_IF_ERROR(report_internal::AddQuotedFigures(c, out));
  KZ_RETURN_IF_ERROR(report_internal::AddExerciseFigures(c, out));
  out["banner"] = TlpLabel(std::max(c.banner, TlpRank(policy::TlpLevel::kClear)));
  return out;
}

}  // namespace kizuna::report
