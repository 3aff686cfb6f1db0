// Kizuna. The figures of the periodic brief, computed in SQL through the audience's
// released read.
#pragma once

// ComputeFigures builds the audience's released rows (released_rows.h) and reads every figure
// of docs/brief.md from them with SQL aggregates: headline figures against the previous
// period; objects by direction, type, TLP, releasability and week; time to share per
// direction; sightings by week and reporting organisation; the ATT&CK techniques and groups
// most referenced and the most sighted indicators (named from objects read through
// policy::ReleasedReader, so an object the audience may not read is never named); federation
// health per peer; exercises; and the appendix of identifiers quoted. The result is the
// `--json` document and what the HTML page is drawn from; its members are described in
// docs/brief.md.
//
//   KZ_ASSIGN_OR_RETURN(boost::json::object f, ComputeFigures(db, policy, input));
//
// The SQL runs on the store's report view (store/report_view.h), so one brief is computed the
// same way on an SQLite or a PostgreSQL node.
// Thread-safety: safe for concurrent calls (each opens a view of its own).

#include <cstdint>
#include <string>

#include <boost/json.hpp>

#include "absl/status/statusor.h"
#include "kizuna/policy/policy.h"
#include "kizuna/report/audience.h"
#include "kizuna/report/period.h"
#include "kizuna/store/database.h"
#include "kizuna/store/exercise_results.h"
#include "kizuna/store/report_view.h"

namespace kizuna::report {

struct BriefInput {
  Audience audience;
  Period current;
  Period previous;
  // The nation of this node, the receiving end of what peers send; empty: the one nation of
  // the node's own organisations (those no peer stands for), else "".
  std::string node_nation;
  int64_t now_us = 0;   // for federation outages
  size_t top = 10;      // rows of the "most referenced/sighted" tables; 1..kMaxTop
};

inline constexpr size_t kMaxTop = 100;

// Whether the policy releases the exercise result `row` (store/exercise_results.h) to
// `principal` as an object of `collection` (the row's), created by its created_by_ref and
// carrying its markings. The caller checks first that the principal may read the collection.
// Errors: the policy's.
absl::StatusOr<bool> ExerciseResultReleased(policy::Policy& policy, const identity::Principal& principal,
                                            const store::Collection& collection,
                                            const store::ExerciseResultRow& row);
// The rank (labels.h, TlpRank) of the highest TLP among the row's markings; 0 for none.
int ExerciseResultTlpRank(const store::ExerciseResultRow& row);

// The rows of `db` a brief for `input` reads (store/report_view.h): the current versions of
// the audience's collections added in either period, with the JSON of sightings and
// relationships.
store::ReportScope BriefScope(const BriefInput& input);

// Returns the figures, computed on a report view of `db` (Database::OpenReportView with
// BriefScope(input): the SQLite file itself, or a snapshot of PostgreSQL) on which it creates
// temporary tables; `policy` decides over `db`. Errors: the store's (Unavailable when it has
// no report view), the policy's; InvalidArgument when input.top is out of range.
absl::StatusOr<boost::json::object> ComputeFigures(store::Database& db, policy::Policy& policy,
                                                   const BriefInput& input);

}  // namespace kizuna::report
