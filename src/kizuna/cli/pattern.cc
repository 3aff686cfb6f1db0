// Kizuna. `kizuna pattern check|match`: validate STIX patterns and match them against
// observed data.
//
//   kizuna pattern check [--stix-version 2.0|2.1] [--json] PATTERN
//     exit 0: valid (prints the canonical form, or with --json the parsed tree);
//     exit 1: invalid (prints the error, then the pattern with a caret under the error).
//   kizuna pattern match [--stix-version 2.0|2.1] PATTERN FILE...
//     FILEs hold observed-data and their SCOs (a bundle, a JSON list or JSON lines; '-' is
//     standard input; gzip is undone). All observations of all files are matched together.
//     exit 0: match (prints the ids of the observed-data bound, one per line);
//     exit 1: no match; exit 2: error (invalid pattern, unreadable input, a limit hit).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "kizuna/base/input_file.h"
#include "kizuna/base/json_string.h"
#include "kizuna/base/limits.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/pattern/errors.h"
#include "kizuna/pattern/observation_json.h"
#include "kizuna/pattern/pattern.h"
#include "kizuna/pattern/stream_match.h"

namespace kizuna::cli {
namespace {

using pattern::Pattern;

constexpr int kExitNoMatch = 1;
constexpr int kExitError = 2;

struct PatternFlags {
  std::string version = "2.1";
  std::string text;
  std::vector<std::string> files;
  bool json = false;
};

void Print(FILE* stream, std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stream);
}

// Prints a pattern error with the caret lines under it, when it has an offset.
void ReportPatternError(const absl::Status& status, std::string_view text) {
  std::string out = StrCat("kizuna: invalid pattern: ", View(status.message()), "\n");
  if (std::optional<size_t> offset = pattern::ErrorOffset(status)) {
    StrAppend(out, "  ", pattern::CaretLines(text, *offset), "\n");
    // Indent the caret line like the pattern line.
    const size_t newline = out.rfind('\n', out.size() - 2);
    out.insert(newline + 1, "  ");
  }
  Print(stderr, out);
}

absl::StatusOr<std::unique_ptr<const Pattern>> CompileFlags(const PatternFlags& flags) {
  std::optional<pattern::StixVersion> version = pattern::ParseVersion(flags.version);
  if (!version.has_value()) {
    return absl::InvalidArgumentError(
        StrCat("--stix-version must be 2.0 or 2.1, not '", flags.version, "'"));
  }
  pattern::CompileOptions options;
  options.version = *version;
  return Pattern::Compile(flags.text, options);
}

std::string RequirementsJson(const pattern::Requirements& r) {
  std::string out = "{\"root_types\":[";
  for (size_t i = 0; i < r.root_types.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(r.root_types[i], out);
  }
  out += "],\"paths\":[";
  for (size_t i = 0; i < r.paths.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(r.paths[i], out);
  }
  StrAppend(out, "],\"single_observation\":", r.single_observation ? "true" : "false", "}");
  return out;
}

int RunCheck(const PatternFlags& flags) {
  auto compiled = CompileFlags(flags);
  if (!compiled.ok()) {
    ReportPatternError(compiled.status(), flags.text);
    return kExitFailure;
  }
  const Pattern& p = **compiled;
  if (flags.json) {
    std::string out = "{\"valid\":true,\"stix_version\":";
    AppendJsonString(pattern::VersionName(p.version()), out);
    out += ",\"canonical\":";
    AppendJsonString(p.ToString(), out);
    StrAppend(out, ",\"requirements\":", RequirementsJson(p.requirements()),
              ",\"tree\":", pattern::ToJson(p.ast().root()), "}\n");
    Print(stdout, out);
  } else {
    Print(stdout, StrCat(p.ToString(), "\n"));
  }
  return kExitOk;
}

int RunMatch(const PatternFlags& flags) {
  auto compiled = CompileFlags(flags);
  if (!compiled.ok()) {
    ReportPatternError(compiled.status(), flags.text);
    return kExitError;
  }
  const Pattern& p = **compiled;
  // Single-observation patterns are evaluated while each file is read; others keep the
  // observations (stream_match.h).
  pattern::StreamMatch match(p);
  for (const std::string& path : flags.files) {
    // Mapped, not copied: the observations are read straight from the file's pages.
    auto input = InputFile::Open(path, limits::kMaxDocumentBytes);
    if (!input.ok()) {
      ReportError(input.status());
      return kExitError;
    }
    absl::Status read = pattern::StreamPaddedObservations((*input)->text(), p.version(), match);
    if (!read.ok()) {
      ReportError(Annotate(read, StrCat(path, ": ")));
      return kExitError;
    }
    match.EndInput();
  }
  auto result = match.Finish();
  if (!result.ok()) {
    ReportError(result.status());
    return kExitError;
  }
  if (!result->matched) return kExitNoMatch;
  std::string out;
  for (const std::string& id : result->bound_ids) StrAppend(out, id, "\n");
  Print(stdout, out);
  return kExitOk;
}

void AddCommonFlags(CLI::App* cmd, PatternFlags& flags) {
  cmd->add_option("--stix-version", flags.version, "STIX version of the pattern: 2.0 or 2.1")
      ->capture_default_str()
      ->check(CLI::IsMember({"2.0", "2.1"}));
  cmd->add_option("PATTERN", flags.text, "The STIX pattern")->required();
}

}  // namespace

void AddPatternCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("pattern", "Check STIX patterns and match them against observed data");
  cmd->require_subcommand(1);

  auto check_flags = std::make_shared<PatternFlags>();
  auto* check = cmd->add_subcommand("check", "Validate a pattern; exit 0 if valid, 1 if not");
  AddCommonFlags(check, *check_flags);
  check->add_flag("--json", check_flags->json, "Print the parsed tree as JSON");
  check->callback([&global, check_flags] { global.exit_code = RunCheck(*check_flags); });

  auto match_flags = std::make_shared<PatternFlags>();
  auto* match = cmd->add_subcommand(
      "match", "Match a pattern against observed-data; exit 0 on a match, 1 on none, 2 on error");
  AddCommonFlags(match, *match_flags);
  match->add_option("FILE", match_flags->files,
                    "Observed-data and SCOs: bundle, JSON list or JSON lines ('-' = stdin)")
      ->required();
  match->callback([&global, match_flags] { global.exit_code = RunMatch(*match_flags); });
}

}  // namespace kizuna::cli
