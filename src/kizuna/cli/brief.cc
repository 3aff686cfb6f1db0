// Kizuna. `kizuna brief --audience WHO --out brief.html [--pdf brief.pdf] [--json figures.json]`:
// the periodic brief for officials (docs/brief.md), showing only what the audience may read.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "kizuna/base/clock.h"
#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/policy/policy.h"
#include "kizuna/report/figures.h"
#include "kizuna/report/html.h"
#include "kizuna/report/pdf.h"
#include "kizuna/store/open.h"

namespace kizuna::cli {
namespace {

struct BriefFlags {
  std::string from, to, previous = "auto", audience, lang = "en", out, pdf, json, node_nation;
  std::string chromium = "/usr/bin/chromium";
  size_t top = 10;
};

// A step on stderr when it is a terminal.
void Progress(std::string_view step) {
  if (StderrIsTerminal()) std::fputs(StrCat("brief: ", step, "...\n").c_str(), stderr);
}

int Run(GlobalOptions& global, const BriefFlags& flags) {
  absl::StatusOr<report::Lang> lang = report::ParseLang(flags.lang);
  if (!lang.ok()) return ReportError(lang.status());
  int64_t now = SystemClock().NowMicros();
  report::BriefInput input;
  absl::StatusOr<report::Period> current = report::ParsePeriod(flags.from, flags.to, now);
  if (!current.ok()) return ReportError(current.status());
  absl::StatusOr<report::Period> previous = report::PreviousPeriod(*current, flags.previous);
  if (!previous.ok()) return ReportError(Annotate(previous.status(), "--previous: "));
  auto db = OpenNodeDatabase(global.data_dir);
  if (!db.ok()) return ReportError(db.status());
  absl::StatusOr<report::Audience> audience = report::ResolveAudience(**db, flags.audience);
  if (!audience.ok()) return ReportError(audience.status());
  input.audience = *std::move(audience);
  input.current = *current;
  input.previous = *previous;
  input.node_nation = flags.node_nation;
  input.now_us = now;
  input.top = flags.top;
  policy::Policy policy(**db, db->get(), SystemClock());
  Progress("computing the figures");
  absl::StatusOr<boost::json::object> figures = report::ComputeFigures(**db, policy, input);
  if (!figures.ok()) return ReportError(figures.status());
  if (!flags.json.empty()) {
    std::string text = boost::json::serialize(*figures) + "\n";
    if (flags.json == "-") {
      std::fwrite(text.data(), 1, text.size(), stdout);
    } else if (absl::Status s = WriteFileAtomically(flags.json, text); !s.ok()) {
      return ReportError(Annotate(s, "--json: "));
    }
  }
  Progress("writing the page");
  absl::StatusOr<std::string> html = report::RenderBrief(*figures, *lang, now);
  if (!html.ok()) return ReportError(html.status());
  if (absl::Status s = WriteFileAtomically(flags.out, *html); !s.ok()) return ReportError(Annotate(s, "--out: "));
  if (!flags.pdf.empty()) {
    Progress("printing the PDF with Chromium");
    if (absl::Status s = report::PrintPdf(flags.out, flags.pdf, {flags.chromium}); !s.ok()) return ReportError(s);
  }
  const boost::json::object& headline = figures->at("headline").as_object();
  std::string summary = StrCat("brief for ", flags.audience, ": ", headline.at("objects").at("current").as_int64(),
                               " objects, ", headline.at("sightings").at("current").as_int64(), " sightings, ",
                               figures->at("banner").as_string().c_str(), "; wrote ", flags.out);
  if (!flags.pdf.empty()) StrAppend(summary, " and ", flags.pdf);
  std::fputs((summary + "\n").c_str(), stderr);
  return kExitOk;
}

}  // namespace

void AddBriefCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "brief", "Write the periodic brief (HTML, optionally PDF and the figures as JSON) for an audience; it shows "
               "only what the audience may read (docs/brief.md)");
  auto flags = std::make_shared<BriefFlags>();
  cmd->add_option("--audience", flags->audience,
                  "Who reads it: a nation (USA), a community (jpn-usa) or a user of this node")
      ->required();
  cmd->add_option("--out", flags->out, "The HTML page to write (self-contained)")->required();
  cmd->add_option("--from", flags->from, "First day, YYYY-MM-DD (default: six months before --to)");
  cmd->add_option("--to", flags->to, "Last day, YYYY-MM-DD (default: today, UTC)");
  cmd->add_option("--previous", flags->previous, "Period to compare with: auto (the same length before) or FROM:TO")
      ->capture_default_str();
  cmd->add_option("--lang", flags->lang, "Language: en or ja")->capture_default_str();
  cmd->add_option("--pdf", flags->pdf, "Also print a PDF with headless Chromium");
  cmd->add_option("--json", flags->json, "Also write the figures as JSON to this file ('-': standard output)");
  cmd->add_option("--node-nation", flags->node_nation,
                  "This node's nation, the receiving end of what peers send (default: its organisations' one nation)");
  cmd->add_option("--top", flags->top, "Rows of the most referenced and most sighted tables (1-100)")
      ->capture_default_str();
  cmd->add_option("--chromium", flags->chromium, "The Chromium to print with")->capture_default_str();
  cmd->callback([&global, flags] { global.exit_code = Run(global, *flags); });
}

}  // namespace kizuna::cli
