// Kizuna. The brief's exercises: the results kept on the node (store/exercise_results.h, read
// through the node's Database) held in the period, each released to the audience by the policy as
// an object of its collection, creator and markings would be.
#include <boost/json.hpp>

#include "absl/strings/str_split.h"

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/policy/tlp.h"
#include "kizuna/report/figures.h"
#include "kizuna/report/internal/sections.h"
#include "kizuna/report/labels.h"
#include "kizuna/store/exercise_results.h"

namespace kizuna::report_internal {
namespace {

// The collection the audience reads under `pk`, or null.
const store::Collection* AudienceCollection(Context& c, int64_t pk) {
  auto id = c.rows.collection_ids().find(pk);
  if (id == c.rows.collection_ids().end()) return nullptr;
  for (const store::Collection& col : c.input.audience.collections) {
    if (col.id == id->second) return &col;
  }
  return nullptr;
}

// The teams of a scoreboard, with the scores the brief shows.
boost::json::array Teams(const boost::json::value& result) {
  boost::json::array out;
  const boost::json::value* teams = result.is_object() ? result.get_object().if_contains("teams") : nullptr;
  if (teams == nullptr || !teams->is_array()) return out;
  for (const boost::json::value& t : teams->get_array()) {
    if (!t.is_object()) continue;
    boost::json::object row;
    for (const char* key : {"team", "nation", "steps", "detected", "recall", "precision", "mean_ttd_s", "score"}) {
      const boost::json::value* v = t.get_object().if_contains(key);
      row[key] = v == nullptr ? boost::json::value() : *v;
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace

absl::Status AddExerciseFigures(Context& c, boost::json::object& out) {
  KZ_ASSIGN_OR_RETURN(std::vector<store::ExerciseResultRow> rows,
                      c.db.ExerciseResultsHeld(c.input.current.from_us, c.input.current.to_us));
  boost::json::array items;
  for (const store::ExerciseResultRow& row : rows) {
    const store::Collection* collection = AudienceCollection(c, row.collection_pk);
    if (collection == nullptr) continue;  // a collection the audience does not read
    KZ_ASSIGN_OR_RETURN(bool released,
                        report::ExerciseResultReleased(c.policy, c.input.audience.principal, *collection, row));
    if (!released) continue;
    const int tlp = report::ExerciseResultTlpRank(row);
    c.banner = std::max(c.banner, tlp);
    boost::system::error_code ec;
    boost::json::value result = boost::json::parse(row.result, ec);
    items.push_back(boost::json::object{{"exercise", row.exercise},
                                        {"title", row.title},
                                        {"from", report::DayText(row.t0_us)},
                                        {"to", report::DayText(row.end_us)},
                                        {"tlp", report::TlpLabel(tlp)},
                                        {"teams", Teams(ec ? boost::json::value() : result)}});
  }
  out["exercises"] = {{"recorded", !items.empty()}, {"items", std::move(items)}};
  return absl::OkStatus();
}

}  // namespace kizuna::report_internal

namespace kizuna::report {

absl::StatusOr<bool> ExerciseResultReleased(policy::Policy& policy, const identity::Principal& principal,
                                            const store::Collection& collection,
                                            const store::ExerciseResultRow& row) {
  std::vector<store::StoredObject> entry(1);
  entry[0].id = "x-kizuna-exercise-result--00000000-0000-4000-8000-000000000000";
  entry[0].type = "x-kizuna-exercise-result";
  entry[0].created_by_ref = row.created_by_ref;
  entry[0].markings = row.markings;
  KZ_ASSIGN_OR_RETURN(size_t withheld, policy.Filter(principal, collection, entry));
  return withheld == 0 && !entry.empty();
}

int ExerciseResultTlpRank(const store::ExerciseResultRow& row) {
  int tlp = 0;
  for (absl::string_view id : absl::StrSplit(AbslView(row.markings), ' ', absl::SkipEmpty())) {
    if (std::optional<policy::TlpLevel> level = policy::PredefinedTlp(View(id))) tlp = std::max(tlp, TlpRank(*level));
  }
  return tlp;
}

}  // namespace kizuna::report
