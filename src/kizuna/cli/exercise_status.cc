// Kizuna. `kizuna exercise status --state DIR`: where a running (or finished) exercise is.
//
//   kizuna exercise status --state DIR [--json]
//
// Reads what `kizuna exercise run` keeps in DIR: state.json (the clock, telemetry released,
// injects sent and their outcome per team, failures, and once the run is over its
// after-action report, DIR/aar.html and DIR/aar.json) and score.json (the last scoreboard), and
// prints them as a table, or with --json as one object {"state": ..., "score": ...}. Safe to
// run while the exercise runs: both files are replaced atomically. Exit codes: 0 printed; 1 no
// exercise in DIR or an unreadable file; 2 usage.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>

#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/exercise_internal.h"

namespace kizuna::cli {
namespace {

// Largest state or score file read.
constexpr uint64_t kMaxStateBytes = uint64_t{256} << 20;

struct StatusFlags {
  std::string state;
  bool json = false;
};

absl::StatusOr<boost::json::value> ReadJson(const std::filesystem::path& path, bool required) {
  std::error_code ec;
  if (!required && !std::filesystem::exists(path, ec)) return boost::json::value(nullptr);
  KZ_ASSIGN_OR_RETURN(simdjson::padded_string text, ReadFile(path.string(), kMaxStateBytes));
  boost::system::error_code error;
  boost::json::value v = boost::json::parse(std::string_view(text.data(), text.size()), error);
  if (error || !v.is_object()) return absl::InvalidArgumentError(StrCat(path.string(), ": not a JSON object"));
  return v;
}

std::string Number(const boost::json::value& v) {
  if (v.is_double()) return fmt::format("{:.2f}", v.as_double());
  if (v.is_int64()) return std::to_string(v.as_int64());
  if (v.is_uint64()) return std::to_string(v.as_uint64());
  return "-";
}

std::string Table(const boost::json::object& state, const boost::json::value& score) {
  std::string out = StrCat(state.at("exercise").as_string().c_str(), ": ",
                           state.at("finished").as_bool() ? "finished" : "running", ", ",
                           static_cast<int64_t>(state.at("offset_s").to_number<double>() / 60), " of ",
                           state.at("duration_s").to_number<int64_t>() / 60, " minutes; ",
                           Number(state.at("released_records")), " of ", Number(state.at("records")),
                           " telemetry records released\n");
  for (const boost::json::value& i : state.at("injects").as_array()) {
    const boost::json::object& inject = i.as_object();
    StrAppend(out, "inject ", inject.at("id").as_string().c_str(), " at ", inject.at("at_s").to_number<int64_t>() / 60,
              " min: ", inject.at("sent").as_bool() ? "sent" : "due");
    for (const boost::json::value& r : inject.at("results").as_array()) {
      const boost::json::object& result = r.as_object();
      StrAppend(out, "  ", result.at("team").as_string().c_str(),
                result.contains("error") ? " failed" : StrCat(" ", Number(result.at("success_count")), " added"));
    }
    out += "\n";
  }
  for (const boost::json::value& f : state.at("failures").as_array()) StrAppend(out, "failure: ", f.as_string().c_str(), "\n");
  if (const boost::json::value* report = state.if_contains("report")) {
    StrAppend(out, "after-action report: ", report->at("html").as_string().c_str(),
              " (figures: ", report->at("json").as_string().c_str(), ")\n");
  }
  if (score.is_object()) {
    out += "team  detected  recall(covered)  precision  look-alike alerts  score\n";
    for (const boost::json::value& t : score.at("teams").as_array()) {
      const boost::json::object& team = t.as_object();
      StrAppend(out, fmt::format("{:<5} {:>4}/{:<4} {:>15}  {:>9}  {:>17}  {:>5}\n", team.at("team").as_string().c_str(),
                                 Number(team.at("detected")), Number(team.at("steps")), Number(team.at("recall_covered")),
                                 Number(team.at("precision")), Number(team.at("lookalike_alerts")), Number(team.at("score"))));
    }
  }
  return out;
}

absl::Status Status(const StatusFlags& flags, std::string& out) {
  std::filesystem::path dir(flags.state);
  absl::StatusOr<boost::json::value> state = ReadJson(dir / "state.json", true);
  if (absl::IsNotFound(state.status())) {
    return absl::NotFoundError(StrCat("--state ", flags.state, ": no exercise here (no state.json; start one with `kizuna exercise run`)"));
  }
  KZ_RETURN_IF_ERROR(state.status());
  KZ_ASSIGN_OR_RETURN(boost::json::value score, ReadJson(dir / "score.json", false));
  if (flags.json) {
    out = boost::json::serialize(boost::json::object{{"state", *state}, {"score", score}}) + "\n";
    return absl::OkStatus();
  }
  try {  // a state.json edited by hand may lack a member or have another type: boost throws then
    out = Table(state->as_object(), score);
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(StrCat((dir / "state.json").string(), ": not an exercise state (", e.what(), ")"));
  }
  return absl::OkStatus();
}

}  // namespace

void AddExerciseStatus(CLI::App& exercise, GlobalOptions& global) {
  auto* cmd = exercise.add_subcommand("status", "Show a running or finished exercise: clock, injects, scores");
  auto flags = std::make_shared<StatusFlags>();
  cmd->add_option("--state", flags->state, "The --state folder of `kizuna exercise run`")->required();
  cmd->add_flag("--json", flags->json, "Print {\"state\": ..., \"score\": ...} as one JSON object");
  cmd->callback([&global, flags] {
    std::string out;
    absl::Status status = Status(*flags, out);
    if (!status.ok()) {
      global.exit_code = ReportError(status);
      return;
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    global.exit_code = std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
  });
}

}  // namespace kizuna::cli
