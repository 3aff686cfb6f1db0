// Kizuna. `kizuna check`: SQLite's integrity check of the store and the store's own invariants.
#include "kizuna/store/check.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>

#include "kizuna/base/clock.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"

namespace kizuna::cli {
namespace {

struct CheckFlags {
  bool quick = false;
  bool json = false;
  size_t max_problems = 100;
  double time_budget_s = 0;
};

void Print(std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); }

boost::json::object StepJson(const store::CheckStep& s) {
  boost::json::array found;
  for (const store::CheckProblem& p : s.problems)
    found.push_back({{"where", p.where}, {"what", p.what}});
  return {{"name", s.name},           {"complete", s.complete},      {"note", s.note},
          {"checked", s.checked},     {"problems", s.problem_count}, {"elapsed_ms", s.elapsed_ms},
          {"found", std::move(found)}};
}

std::string StepText(const store::CheckStep& s) {
  std::string state = s.problem_count > 0 ? StrCat(s.problem_count, " problem(s)")
                      : s.complete        ? "ok"
                                          : "incomplete";
  std::string line = fmt::format("  {:<20} {:<14} {:>10} checked {:>8.1f} s", s.name, state,
                                 s.checked, static_cast<double>(s.elapsed_ms) / 1000);
  if (!s.note.empty()) StrAppend(line, "  ", s.note);
  line += '\n';
  for (const store::CheckProblem& p : s.problems) {
    StrAppend(line, "      ", p.where.empty() ? "" : StrCat(p.where, ": "), p.what, "\n");
  }
  if (s.problem_count > static_cast<int64_t>(s.problems.size())) {
    StrAppend(line, "      (", s.problem_count - static_cast<int64_t>(s.problems.size()),
              " more not listed)\n");
  }
  return line;
}

// Draws each step's progress and time on one terminal line of stderr.
class ProgressLine {
 public:
  void Draw(const store::CheckProgress& p) {
    auto now = std::chrono::steady_clock::now();
    if (p.step != step_) {
      step_ = std::string(p.step);
      started_ = now;
    }
    double seconds = std::chrono::duration<double>(now - started_).count();
    std::string line = fmt::format("\r\033[K  {:<20} {:6.1f} s", p.step, seconds);
    if (p.total > 0 && p.done > 0) {  // SQLite tells no pages read while it walks its b-trees
      double percent = 100.0 * static_cast<double>(p.done) / static_cast<double>(p.total);
      line += fmt::format("  {:5.1f}% ({} of {})", percent, p.done, p.total);
    }
    std::fputs(line.c_str(), stderr);
  }

 private:
  std::string step_;
  std::chrono::steady_clock::time_point started_;
};

int Run(GlobalOptions& global, const CheckFlags& f) {
  store::CheckOptions options;
  options.level = f.quick ? store::CheckLevel::kQuick : store::CheckLevel::kFull;
  options.max_problems_per_step = f.max_problems;
  options.time_budget_ms = static_cast<int64_t>(f.time_budget_s * 1000);
  const bool terminal = StderrIsTerminal();
  ProgressLine line;
  if (terminal) options.progress = [&line](const store::CheckProgress& p) { line.Draw(p); };
  absl::StatusOr<store::CheckReport> report =
      store::CheckDataDir(global.data_dir, options, SystemClock());
  if (terminal) std::fputs("\r\033[K", stderr);
  if (!report.ok()) return ReportError(report.status());
  const bool good = report->Clean() && report->Complete();
  if (f.json) {
    boost::json::array steps;
    for (const store::CheckStep& s : report->steps) steps.push_back(StepJson(s));
    boost::json::object out{{"database", report->database},   {"pages", report->pages},
                            {"page_size", report->page_size}, {"bytes", report->bytes},
                            {"clean", report->Clean()},       {"complete", report->Complete()},
                            {"steps", std::move(steps)}};
    Print(boost::json::serialize(out) + "\n");
  } else {
    std::string text = report->page_size > 0
                           ? StrCat(report->database, ": ", report->pages, " pages of ",
                                    report->page_size, " octets\n")
                           : StrCat(report->database, ": ", report->bytes, " octets\n");
    for (const store::CheckStep& s : report->steps) text += StepText(s);
    Print(text);
  }
  if (good) return kExitOk;
  int64_t problems = 0;
  for (const store::CheckStep& s : report->steps) problems += s.problem_count;
  std::string summary =
      problems > 0 ? StrCat("kizuna: ", problems, " problem(s) found in ", report->database,
                            ": restore it from a backup, or read docs/formats/store.md\n")
                   : StrCat("kizuna: the check of ", report->database, " is incomplete\n");
  std::fputs(summary.c_str(), stderr);
  return kExitFailure;
}

}  // namespace

void AddCheckCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("check",
                                 "Check the store: SQLite's integrity check (on PostgreSQL: the "
                                 "schema, and amcheck over the indexes), the store's own "
                                 "invariants, file modes (exit 1 on problems)");
  auto f = std::make_shared<CheckFlags>();
  cmd->add_flag("--quick", f->quick,
                "Only PRAGMA quick_check (on PostgreSQL: the schema version) and file modes: what "
                "`kizuna serve` runs at start on SQLite");
  cmd->add_flag("--json", f->json, "Print the report as one JSON object");
  cmd->add_option("--max-problems", f->max_problems, "Problems listed per step (default 100)")
      ->check(CLI::Range(size_t{1}, size_t{100000}));
  cmd->add_option(
         "--time-budget", f->time_budget_s,
         "Seconds SQLite's check (or amcheck) may take before it stops, incomplete (default: "
         "no limit)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([&global, f] { global.exit_code = Run(global, *f); });
}

}  // namespace kizuna::cli
