// Kizuna. `kizuna validate FILE...`: check STIX documents without storing anything, with
// the checks of every ingest path (ingest::ObjectChecker: STIX validation and the STIX
// pattern of each indicator), so what validates is what `kizuna import` and TAXII accept.
#include <CLI/CLI.hpp>

#include <boost/json.hpp>
#include <cstdio>

#include "kizuna/base/file.h"
#include "kizuna/base/limits.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/ingest/object_checker.h"
#include "kizuna/stix/reader.h"

namespace kizuna::cli {
namespace {

struct Counts {
  int64_t objects = 0, invalid = 0;
};

void PrintProblem(std::string_view where, std::string_view message) {
  std::string line = StrCat(where, ": ", message, "\n");
  std::fputs(line.c_str(), stdout);
}

// Validates one file; returns false if it could not be read or its container is broken.
bool ValidateFile(const std::string& path, ingest::ObjectChecker& checker, Counts& counts) {
  auto text = ReadFile(path, limits::kMaxDocumentBytes);
  if (!text.ok()) {
    PrintProblem(path, View(text.status().message()));
    return false;
  }
  stix::DocumentReader reader(*text);
  stix::ObjectSpan span;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(span);
    if (!more.ok()) {
      PrintProblem(path, View(more.status().message()));
      return false;
    }
    if (!*more) return true;
    ++counts.objects;
    auto [line, column] = reader.Locate(span.offset);
    std::string where = StrCat(path, ":", line, ":", column);
    if (!span.error.empty()) {
      ++counts.invalid;
      PrintProblem(where, span.error);
      continue;
    }
    auto index = checker.Check(span.json, stix::Padding::kPresent);
    if (!index.ok()) {
      ++counts.invalid;
      PrintProblem(where, View(index.status().message()));
    }
  }
}

}  // namespace

void AddValidateCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "validate", "Check STIX 2.1/2.0 documents (bundle, envelope, list, JSON lines); print each problem");
  auto files = std::make_shared<std::vector<std::string>>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("FILE", *files, "Files to check ('-' for standard input)")->required();
  cmd->add_flag("--json", *json, "Print the summary as JSON on the last line");
  cmd->callback([&global, files, json] {
    ingest::ObjectChecker checker;
    Counts counts;
    bool readable = true;
    for (const std::string& f : *files) readable = ValidateFile(f, checker, counts) && readable;
    if (*json) {
      boost::json::object summary{{"files", files->size()},
                                  {"objects", counts.objects},
                                  {"valid", counts.objects - counts.invalid},
                                  {"invalid", counts.invalid},
                                  {"unreadable", !readable}};
      std::string text = boost::json::serialize(summary) + "\n";
      std::fputs(text.c_str(), stdout);
    } else {
      std::string text = StrCat(counts.objects, " objects: ", counts.objects - counts.invalid, " valid, ",
                                counts.invalid, " invalid\n");
      std::fputs(text.c_str(), stderr);
    }
    global.exit_code = readable && counts.invalid == 0 ? kExitOk : kExitFailure;
  });
}

}  // namespace kizuna::cli
