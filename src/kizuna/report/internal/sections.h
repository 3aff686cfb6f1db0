// Kizuna. The sections of the brief's figures, each computed from the released rows.
#pragma once

// Each function adds its members to `out` (docs/brief.md). They run after
// ReleasedRows::Build, in the order ComputeFigures calls them. `banner` collects the highest
// TLP rank of what the brief counts or quotes.
// Thread-safety: as the connection.

#include <boost/json.hpp>

#include "absl/status/status.h"
#include "kizuna/report/figures.h"
#include "kizuna/report/released_rows.h"

namespace kizuna::report_internal {

struct Context {
  store::Connection& sql;
  store::Database& db;
  policy::Policy& policy;
  report::ReleasedRows& rows;
  const report::BriefInput& input;
  int banner = 0;
};

// headline (objects, indicators, reports, sightings), by_type, by_tlp, by_releasability, by_week.
absl::Status AddObjectFigures(Context& c, boost::json::object& out);
// by_direction, time_to_share, federation; headline received and sent.
absl::Status AddFlowFigures(Context& c, boost::json::object& out);
// exercises: the results held in the period that the policy releases to the audience.
absl::Status AddExerciseFigures(Context& c, boost::json::object& out);
// sightings_by_org, techniques, groups, top_indicators, appendix.
absl::Status AddQuotedFigures(Context& c, boost::json::object& out);

}  // namespace kizuna::report_internal
