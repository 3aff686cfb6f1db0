// Kizuna. `kizuna exercise record --result RESULT --collection COLLECTION [--as ORG]
// [--marking ID...]`: keeps a scored exercise on the node for the brief
// (store/exercise_results.h).
//
// The result is released as an object of COLLECTION would be: created by ORG (default: the
// operator), marked with the scenario's TLP (the scoreboard's `tlp`) and every --marking (e.g.
// a releasability marking definition the node holds). A brief shows it, in its period
// (by the exercise's start), only to an audience the policy releases it to. Recording the
// same exercise in the same collection again replaces it. Exit codes: 0 recorded; 1 an
// unreadable result, an unknown collection, organisation or marking; 2 usage.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>

#include "kizuna/base/clock.h"
#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/exercise_internal.h"
#include "kizuna/policy/marking.h"
#include "kizuna/policy/tlp.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/store/database.h"
#include "kizuna/store/exercise_results.h"

namespace kizuna::cli {
namespace {

struct RecordFlags {
  std::string result, collection, as;
  std::vector<std::string> markings;
};

absl::Status Record(GlobalOptions& global, const RecordFlags& flags) {
  KZ_ASSIGN_OR_RETURN(simdjson::padded_string text, ReadFile(flags.result, store::kMaxExerciseResultBytes));
  std::string_view json(text.data(), text.size());
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(json, ec);
  auto bad = [&](std::string_view what) {
    return absl::InvalidArgumentError(StrCat(flags.result, ": ", what, " (expected `kizuna exercise score --json`)"));
  };
  if (ec || !v.is_object()) return bad("not a JSON object");
  const boost::json::object& o = v.get_object();
  store::ExerciseResultRow row;
  auto str = [&](const char* key) -> std::string {
    const boost::json::value* m = o.if_contains(key);
    return m != nullptr && m->is_string() ? std::string(m->get_string()) : "";
  };
  row.exercise = str("exercise"), row.title = str("title");
  if (row.exercise.empty()) return bad("no 'exercise'");
  absl::StatusOr<int64_t> t0 = stix::ParseMicros(str("t0"));
  if (!t0.ok()) return bad("no 't0'");
  const boost::json::value* duration = o.if_contains("duration_s");
  row.t0_us = *t0;
  row.end_us = *t0 + (duration != nullptr && duration->is_number() ? duration->to_number<int64_t>() : 0) * 1'000'000;
  std::optional<policy::TlpLevel> tlp = policy::ParseTlpName(str("tlp"));
  if (!tlp) return bad(StrCat("unknown 'tlp' '", str("tlp"), "'"));
  row.markings = std::string(policy::Tlp2MarkingId(*tlp));
  KZ_ASSIGN_OR_RETURN(std::unique_ptr<store::Database> db, OpenNodeDatabase(global.data_dir));
  for (const std::string& m : flags.markings) {
    if (!m.starts_with("marking-definition--"))
      return absl::InvalidArgumentError(StrCat("--marking: '", m, "' is not a marking-definition id"));
    if (!policy::PredefinedMarking(m)) {
      auto held = db->FindMarkingDefinition(m);
      if (!held.ok()) return Annotate(held.status(), StrCat("--marking '", m, "': "));
    }
    StrAppend(row.markings, " ", m);
  }
  KZ_ASSIGN_OR_RETURN(store::Collection collection, db->FindCollection("", flags.collection));
  row.collection_id = collection.id;
  if (!flags.as.empty()) {
    KZ_ASSIGN_OR_RETURN(store::Organization org, db->FindOrganization(flags.as));
    row.created_by_ref = org.id;
  }
  row.result = std::string(json);
  row.recorded_us = SystemClock().NowMicros();
  KZ_RETURN_IF_ERROR(db->PutExerciseResult(row));
  std::fprintf(stderr, "recorded exercise %s (%s) in collection %s, marked %s\n", row.exercise.c_str(),
               stix::FormatTaxii(row.t0_us).c_str(), collection.id.c_str(), row.markings.c_str());
  return absl::OkStatus();
}

}  // namespace

void AddExerciseRecord(CLI::App& exercise, GlobalOptions& global) {
  auto* cmd = exercise.add_subcommand("record", "Keep a scored exercise on the node, for the brief's exercise section");
  auto flags = std::make_shared<RecordFlags>();
  cmd->add_option("--result", flags->result, "The scoreboard: `kizuna exercise score --json` output")->required();
  cmd->add_option("--collection", flags->collection,
                  "Collection (id or alias) whose readers the result is for, as its objects")
      ->required();
  cmd->add_option("--as", flags->as, "Organisation (name or identity id) the result is released as");
  cmd->add_option("--marking", flags->markings,
                  "Marking definition id the result also carries, beside the scenario's TLP (repeatable)");
  cmd->callback([&global, flags] {
    absl::Status status = Record(global, *flags);
    global.exit_code = status.ok() ? kExitOk : ReportError(status);
  });
}

}  // namespace kizuna::cli
