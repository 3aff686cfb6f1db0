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

absl::Status Report(const ReportFlags& flags) {
  KZ_ASSIGN_OR_RETURN(report::Lang lang, report::ParseLang(flags.lang));
  KZ_ASSIGN_OR_RETURN(simdjson::padded_string text, ReadFile(flags.result, exercise::kMaxResultBytes));
  boost::system::error_code ec;
  boost::json::value result = boost::json::parse(std::string_view(text.data(), text.size()), ec);
  if (ec || !result.is_object()) {
    return absl::InvalidArgumentError(
        StrCat(flags.result, ": not a scoreboard (the JSON of `kizuna exercise score --json`)"));
  }
  auto figures = exercise::AarFigures(result.get_object());
  if (!figures.ok()) return Annotate(figures.status(), StrCat(flags.result, ": "));
  KZ_ASSIGN_OR_RETURN(std::string html, exercise::RenderAar(*figures, lang, SystemClock().NowMicros()));
  if (!flags.json.empty()) {
    std::string json = boost::json::serialize(*figures) + "\n";
    KZ_RETURN_IF_ERROR(Annotate(WriteFileAtomically(flags.json, json), "--json: "));
  }
  KZ_RETURN_IF_ERROR(Annotate(WriteFileAtomically(flags.out, html), "--out: "));
  const boost::json::object& h = figures->at("headline").as_object();
  std::fprintf(stderr, "after-action report of %s: %lld of %lld steps detected, %lld of %lld objectives met; wrote %s\n",
               figures->at("exercise").as_string().c_str(), static_cast<long long>(h.at("detected").to_number<int64_t>()),
               static_cast<long long>(h.at("steps").to_number<int64_t>()),
               static_cast<long long>(h.at("shares_met").to_number<int64_t>()),
               static_cast<long long>(h.at("shares").to_number<int64_t>()), flags.out.c_str());
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
