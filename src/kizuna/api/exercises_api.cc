// Kizuna. /api/v1/exercises: the joint exercises held, as their results are kept on the node
// (store/exercise_results.h, `kizuna exercise record`).
//
// GET exercises -> {"exercises": [{"exercise", "collection", "title", "from", "to", "tlp",
//     "teams": n, "recorded"}] (newest first), "capped": bool}
// GET exercises/{exercise}?collection=ID -> one result: {"exercise", "collection", "title",
//     "from", "to", "tlp", "recorded", "duration_s", "teams": [{"team", "nation", "steps",
//     "detected", "recall", "precision", "mean_ttd_s", "share_to_use", "score"}],
//     "objectives": [{"objective", "from", "to", "step", "time_to_share_s", "shared_at",
//     "met", "used"}], "aar": true when the after-action report can be drawn from it}
// GET exercises/{exercise}/aar?collection=ID&lang=en|ja -> the after-action report (text/html,
//     an attachment: a self-contained page, exercise/aar.h), drawn from the kept scoreboard
// A result shows only when the caller may read its collection and the policy releases it to
// the caller as an object of that collection, creator and markings (as the brief decides it,
// report::ExerciseResultReleased): one it may not read is absent from the list and answers
// 404 exactly as one that does not exist.
#include <algorithm>
#include <boost/json.hpp>
#include <limits>

#include "kizuna/api/answer.h"
#include "kizuna/api/console_endpoints.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/exercise/aar.h"
#include "kizuna/report/figures.h"
#include "kizuna/report/html.h"
#include "kizuna/report/labels.h"
#include "kizuna/report/period.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/taxii/query.h"

namespace kizuna::api {
namespace {

namespace json = boost::json;

// The members of `from` named by `keys`, null when absent; rows that are not objects are
// skipped.
json::array Rows(const json::object& result, std::string_view member,
                 std::initializer_list<std::string_view> keys) {
  json::array out;
  const json::value* rows = result.if_contains(member);
  if (rows == nullptr || !rows->is_array()) return out;
  for (const json::value& r : rows->get_array()) {
    if (!r.is_object()) continue;
    json::object row;
    for (std::string_view key : keys) {
      const json::value* v = r.get_object().if_contains(key);
      row[key] = v == nullptr ? json::value() : *v;
    }
    out.push_back(std::move(row));
  }
  return out;
}

json::object Summary(const store::ExerciseResultRow& row, const json::object& result) {
  const json::value* teams = result.if_contains("teams");
  return {{"exercise", row.exercise},
          {"collection", row.collection_id},
          {"title", row.title},
          {"from", stix::FormatTaxii(row.t0_us)},
          {"to", stix::FormatTaxii(row.end_us)},
          {"tlp", report::TlpLabel(report::ExerciseResultTlpRank(row))},
          {"teams", teams != nullptr && teams->is_array() ? teams->get_array().size() : 0},
          {"recorded", stix::FormatTaxii(row.recorded_us)}};
}

json::object ResultOf(const store::ExerciseResultRow& row) {
  boost::system::error_code ec;
  json::value v = json::parse(row.result, ec);
  return !ec && v.is_object() ? std::move(v.get_object()) : json::object();
}

}  // namespace

absl::StatusOr<std::vector<store::ExerciseResultRow>> ConsoleEndpoints::ReleasedExerciseResults(
    const identity::Principal& principal) {
  KZ_ASSIGN_OR_RETURN(std::vector<store::Collection> readable, Readable(principal));
  KZ_ASSIGN_OR_RETURN(std::vector<store::ExerciseResultRow> rows,
                      db_.ExerciseResultsHeld(std::numeric_limits<int64_t>::min(),
                                              std::numeric_limits<int64_t>::max()));
  std::vector<store::ExerciseResultRow> out;
  for (store::ExerciseResultRow& row : rows) {
    auto c = std::find_if(readable.begin(), readable.end(), [&](const store::Collection& col) {
      return col.id == row.collection_id;
    });
    if (c == readable.end()) continue;  // a collection the caller does not read
    KZ_ASSIGN_OR_RETURN(bool released, report::ExerciseResultReleased(policy_, principal, *c, row));
    if (released) out.push_back(std::move(row));
  }
  std::reverse(out.begin(), out.end());  // newest first
  return out;
}

http::Response ConsoleEndpoints::Exercises(const ApiCall& call) {
  call.info.endpoint = "api-exercises";
  if (call.request.method != http::Method::kGet && call.request.method != http::Method::kHead) {
    return NotAllowed("GET, HEAD");
  }
  absl::StatusOr<std::vector<store::ExerciseResultRow>> rows =
      ReleasedExerciseResults(call.principal);
  if (!rows.ok()) return ErrorAnswer(500, "the exercise results could not be read");
  std::string_view rest = call.path.substr(std::string_view("exercises").size());
  if (rest.empty()) {
    json::array list;
    for (const store::ExerciseResultRow& row : *rows) {
      if (list.size() == kMaxExercisesShown) break;
      list.push_back(Summary(row, ResultOf(row)));
    }
    return JsonAnswer(json::serialize(json::object{{"exercises", std::move(list)},
                                                   {"capped", rows->size() > kMaxExercisesShown}}));
  }
  // "/EXERCISE" or "/EXERCISE/aar"
  rest.remove_prefix(1);
  const bool aar = rest.ends_with("/aar");
  if (aar) rest.remove_suffix(4);
  absl::StatusOr<std::string> exercise = taxii::PercentDecode(rest);
  absl::StatusOr<std::string> collection = QueryValue(call.request.Query(), "collection");
  if (!exercise.ok() || exercise->empty() || exercise->find('/') != std::string::npos ||
      !collection.ok()) {
    return ErrorAnswer(400, "expected exercises/{exercise}[/aar]?collection={id}, percent-encoded");
  }
  auto row = std::find_if(rows->begin(), rows->end(), [&](const store::ExerciseResultRow& r) {
    return r.exercise == *exercise && (collection->empty() || r.collection_id == *collection);
  });
  if (row == rows->end()) return ErrorAnswer(404, StrCat("no exercise '", *exercise, "' held"));
  json::object result = ResultOf(*row);
  absl::StatusOr<json::object> aar_figures = exercise::AarFigures(result);
  if (aar) {
    absl::StatusOr<std::string> lang_text = QueryValue(call.request.Query(), "lang");
    absl::StatusOr<report::Lang> lang =
        report::ParseLang(lang_text.ok() && !lang_text->empty() ? *lang_text : "en");
    if (!lang.ok()) return ErrorAnswer(400, View(lang.status().message()));
    if (!aar_figures.ok())
      return ErrorAnswer(404, StrCat("the result of '", *exercise, "' has no after-action report: ",
                                     View(aar_figures.status().message())));
    absl::StatusOr<std::string> html = exercise::RenderAar(*aar_figures, *lang, clock_.NowMicros());
    if (!html.ok()) return ErrorAnswer(500, "the after-action report could not be drawn");
    return Attachment(std::move(*html), "text/html; charset=utf-8",
                      StrCat("aar-", row->exercise, ".html"));
  }
  json::object out = Summary(*row, result);
  const json::value* duration = result.if_contains("duration_s");
  out["duration_s"] = duration == nullptr ? json::value() : *duration;
  out["teams"] = Rows(result, "teams",
                      {"team", "nation", "steps", "detected", "recall", "precision", "mean_ttd_s",
                       "share_to_use", "score"});
  out["objectives"] =
      Rows(result, "shares",
           {"objective", "from", "to", "step", "time_to_share_s", "shared_at", "met", "used"});
  out["aar"] = aar_figures.ok();
  return JsonAnswer(json::serialize(out));
}

}  // namespace kizuna::api
