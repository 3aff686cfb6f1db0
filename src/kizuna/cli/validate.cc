// Kizuna. `kizuna validate FILE...`: check STIX documents without storing anything, with
// the checks of every ingest path (ingest::ObjectChecker: STIX validation and the STIX
// pattern of each indicator), so what validates is what `kizuna import` and TAXII accept.
// With --warnings (or --strict) it also lists what the standard recommends and a valid
// object does not do (stix/warnings.h, docs/validation.md); no ingest path computes those.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>

#include "kizuna/base/file.h"
#include "kizuna/base/limits.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/ingest/object_checker.h"
#include "kizuna/stix/reader.h"
#include "kizuna/stix/warnings.h"

namespace kizuna::cli {
namespace {

struct ValidateFlags {
  std::vector<std::string> files;
  bool json = false;
  bool warnings = false;
  bool strict = false;
};

struct Counts {
  int64_t objects = 0, invalid = 0, warnings = 0;
};

// Where a finding is: the file, and the line and column of its object (0 for the file).
struct Place {
  std::string_view file;
  size_t line = 0, column = 0;
};

// Prints one finding: "file:line:column: [warning: ]message" as text, or a JSON line.
void Print(const ValidateFlags& flags, const Place& at, std::string_view severity,
           std::string_view message, const stix::Warning* warning = nullptr,
           std::string_view id = {}) {
  std::string line;
  if (flags.json) {
    boost::json::object o{{"file", at.file}, {"severity", severity}, {"message", message}};
    if (at.line > 0) {
      o["line"] = at.line;
      o["column"] = at.column;
    }
    if (warning != nullptr) {
      o["id"] = id;
      o["kind"] = warning->kind;
      o["path"] = warning->path;
    }
    line = boost::json::serialize(o) + "\n";
  } else {
    std::string where =
        at.line > 0 ? StrCat(at.file, ":", at.line, ":", at.column) : std::string(at.file);
    line = warning != nullptr ? StrCat(where, ": warning: ", id, ": ", warning->path, ": ", message,
                                       " [", warning->kind, "]\n")
                              : StrCat(where, ": ", message, "\n");
  }
  std::fputs(line.c_str(), stdout);
}

// Prints the warnings of a valid object (parsed again: only when asked).
void PrintWarnings(const ValidateFlags& flags, const Place& at, std::string_view json,
                   const stix::ObjectIndex& index, simdjson::dom::parser& parser, Counts& counts) {
  simdjson::dom::object object;
  if (parser.parse(json.data(), json.size(), true).get(object) != simdjson::SUCCESS) return;
  for (const stix::Warning& w : stix::FindWarnings(object, index)) {
    ++counts.warnings;
    Print(flags, at, "warning", w.message, &w, index.id);
  }
}

// Validates one file; returns false if it could not be read or its container is broken.
bool ValidateFile(const std::string& path, const ValidateFlags& flags,
                  ingest::ObjectChecker& checker, simdjson::dom::parser& parser, Counts& counts) {
  auto text = ReadFile(path, limits::kMaxDocumentBytes);
  if (!text.ok()) {
    Print(flags, {path}, "error", View(text.status().message()));
    return false;
  }
  stix::DocumentReader reader(*text);
  stix::ObjectSpan span;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(span);
    if (!more.ok()) {
      Print(flags, {path}, "error", View(more.status().message()));
      return false;
    }
    if (!*more) return true;
    ++counts.objects;
    auto [line, column] = reader.Locate(span.offset);
    const Place at{path, line, column};
    if (!span.error.empty()) {
      ++counts.invalid;
      Print(flags, at, "error", span.error);
      continue;
    }
    auto index = checker.Check(span.json, stix::Padding::kPresent);
    if (!index.ok()) {
      ++counts.invalid;
      Print(flags, at, "error", View(index.status().message()));
    } else if (flags.warnings) {
      PrintWarnings(flags, at, span.json, *index, parser, counts);
    }
  }
}

void Run(GlobalOptions& global, ValidateFlags flags) {
  flags.warnings = flags.warnings || flags.strict;
  ingest::ObjectChecker checker;
  simdjson::dom::parser parser;
  Counts counts;
  bool readable = true;
  for (const std::string& f : flags.files)
    readable = ValidateFile(f, flags, checker, parser, counts) && readable;
  if (flags.json) {
    boost::json::object summary{{"files", flags.files.size()},
                                {"objects", counts.objects},
                                {"valid", counts.objects - counts.invalid},
                                {"invalid", counts.invalid},
                                {"unreadable", !readable}};
    if (flags.warnings) summary["warnings"] = counts.warnings;
    std::string text = boost::json::serialize(summary) + "\n";
    std::fputs(text.c_str(), stdout);
  } else {
    std::string text = StrCat(counts.objects, " objects: ", counts.objects - counts.invalid,
                              " valid, ", counts.invalid, " invalid");
    if (flags.warnings) StrAppend(text, ", ", counts.warnings, " warnings");
    text += "\n";
    std::fputs(text.c_str(), stderr);
  }
  bool ok = readable && counts.invalid == 0 && !(flags.strict && counts.warnings > 0);
  global.exit_code = ok ? kExitOk : kExitFailure;
}

}  // namespace

void AddValidateCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "validate", "Check STIX 2.1/2.0 documents (bundle, envelope, list, JSON lines); print each problem");
  auto flags = std::make_shared<ValidateFlags>();
  cmd->add_option("FILE", flags->files, "Files to check ('-' for standard input)")->required();
  cmd->add_flag(
      "--json", flags->json,
      "Print each problem as a JSON line (file, line, column, severity, message; warnings add id, "
      "kind and path) and the summary as JSON on the last line");
  cmd->add_flag("--warnings", flags->warnings,
                "Also list what STIX 2.1 recommends (SHOULD) and a valid object does not do, with "
                "the object id, "
                "property path and kind (docs/validation.md); they do not fail the run");
  cmd->add_flag("--strict", flags->strict, "As --warnings, and exit 1 when there is any warning");
  cmd->callback([&global, flags] { Run(global, *flags); });
}

}  // namespace kizuna::cli
