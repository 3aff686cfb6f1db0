// Kizuna. `kizuna exercise report --result RESULT --out aar.html [--json aar.json]
// [--lang en|ja]`: the after-action report of a scored exercise (exercise/aar.h).
//
// RESULT is the scoreboard `kizuna exercise score --json` writes. The page is self-contained
// (charts drawn by the embedded Apache ECharts, no network to open it); --json also writes
// the figures the page shows. Exit codes: 0 written; 1 an unreadable or malformed result or a
// write failure; 2 usage.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "kizuna/base/clock.h"
#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/exercise_internal.h"
#include "kizuna/exercise/aar.h"
#include "kizuna/report/html.h"

namespace kizuna::cli {
namespace {

struct ReportFlags {
  std::string result, out, json, lang = "en";
};

}  // namespace

absl::StatusOr<std::string> WriteAfterActionReport(std::string_view result_json,
                                                   std::string_view origin,
                                                   const std::string& html_path,
                                                   const std::string& json_path,
                                                   report::Lang lang) {
  boost::system::error_code ec;
  boost::json::value result = boost::json::parse(result_json, ec);
  if (ec || !result.is_object()) {
    return absl::InvalidArgumentError(
        StrCat(origin, ": not a scoreboard (the JSON of `kizuna exercise score --json`)"));
  }
  auto figures = exercise::AarFigures(result.get_object());
  if (!figures.ok()) return Annotate(figures.status(), StrCat(origin, ": "));
  KZ_ASSIGN_OR_RETURN(std::string html, exercise::RenderAar(*figures, lang, SystemClock().NowMicros()));
  if (!json_path.empty()) {
    std::string json = boost::json::serialize(*figures) + "\n";
    KZ_RETURN_IF_ERROR(Annotate(WriteFileAtomically(json_path, json), StrCat(json_path, ": ")));
  }
  KZ_RETURN_IF_ERROR(Annotate(WriteFileAtomically(html_path, html), StrCat(html_path, ": ")));
  const boost::json::object& h = figures->at("headline").as_object();
  return StrCat("after-action report of ", figures->at("exercise").as_string().c_str(), ": ",
                h.at("detected").to_number<int64_t>(), " of ", h.at("steps").to_number<int64_t>(),
                " steps detected, ", h.at("shares_met").to_number<int64_t>(), " of ",
                h.at("shares").to_number<int64_t>(), " objectives met; wrote ", html_path);
}

namespace {

absl::Status Report(const ReportFlags& flags) {
  KZ_ASSIGN_OR_RETURN(report::Lang lang, report::ParseLang(flags.lang));
  KZ_ASSIGN_OR_RETURN(simdjson::padded_string text,
                      ReadFile(flags.result, exercise::kMaxResultBytes));
  KZ_ASSIGN_OR_RETURN(std::string summary,
                      WriteAfterActionReport(std::string_view(text.data(), text.size()),
                                             flags.result, flags.out, flags.json, lang));
  std::fprintf(stderr, "%s\n", summary.c_str());
  return absl::OkStatus();
}

}  // namespace

void AddExerciseReport(CLI::App& exercise, GlobalOptions& global) {
  auto* cmd = exercise.add_subcommand(
      "report", "Write the after-action report of a scored exercise (self-contained HTML, and JSON)");
  auto flags = std::make_shared<ReportFlags>();
  cmd->add_option("--result", flags->result, "The scoreboard: `kizuna exercise score --json` output")->required();
  cmd->add_option("--out", flags->out, "The HTML page to write (self-contained)")->required();
  cmd->add_option("--json", flags->json, "Also write the report's figures as JSON to this file");
  cmd->add_option("--lang", flags->lang, "Language of the page: en or ja")->capture_default_str();
  cmd->callback([&global, flags] {
    absl::Status status = Report(*flags);
    global.exit_code = status.ok() ? kExitOk : ReportError(status);
  });
}

}  // namespace kizuna::cli
