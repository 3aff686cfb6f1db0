// Kizuna. `kizuna search QUERY [--type T] [--collection C] [--tlp LEVEL] [--nation N]
// [--added-after T] [--added-before T] [--valid-now] [--as USER] [--json] [--limit N]`: full-text
// search over names, aliases, descriptions, labels and other text, best match first, as the
// policy releases it (docs/search.md).
#include <CLI/CLI.hpp>

#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/cli/search_common.h"
#include "kizuna/search/answer_json.h"
#include "kizuna/stix/timestamp.h"

namespace kizuna::cli {
namespace {

struct TextFlags : SearchFlags {
  search::TextRequest request;
  std::vector<std::string> collections;
  std::string added_after, added_before;
};

absl::Status ParseTime(const std::string& text, std::string_view flag, int64_t& out) {
  if (text.empty()) return absl::OkStatus();
  absl::StatusOr<int64_t> t = stix::ParseMicros(text);
  if (!t.ok()) return Annotate(t.status(), StrCat(flag, ": "));
  out = *t;
  return absl::OkStatus();
}

int Run(GlobalOptions& global, TextFlags& flags) {
  if (absl::Status s = ParseTime(flags.added_after, "--added-after", flags.request.added_after_us); !s.ok()) {
    return ReportError(s);
  }
  if (absl::Status s = ParseTime(flags.added_before, "--added-before", flags.request.added_before_us); !s.ok()) {
    return ReportError(s);
  }
  auto session = OpenSearch(global, flags);
  if (!session.ok()) return ReportError(session.status());
  for (const std::string& c : flags.collections) {
    auto collection = (*session)->db->FindCollection("", c);
    if (!collection.ok()) return ReportError(collection.status());
    flags.request.collections.push_back(collection->id);
  }
  auto answer = (*session)->searcher->Text((*session)->principal, flags.request, {.limit = flags.limit});
  if (!answer.ok()) return ReportError(answer.status());
  return PrintAnswer(*answer, search::AnswerJson(*answer), flags.json);
}

}  // namespace

void AddSearchCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("search", "Full-text search over names, aliases, descriptions and labels");
  auto flags = std::make_shared<TextFlags>();
  cmd->add_option("QUERY", flags->request.query, "Words that must all occur")->required();
  cmd->add_option("--type", flags->request.types, "Only objects of this type (repeatable)");
  cmd->add_option("--collection", flags->collections, "Only this collection, by id or alias (repeatable)");
  cmd->add_option("--tlp", flags->request.tlp, "Only objects marked with this TLP level, e.g. green, amber (repeatable)");
  cmd->add_option("--nation", flags->request.creator_nations,
                  "Only objects whose creator is of this nation, ISO 3166-1 alpha-3 (repeatable)");
  cmd->add_option("--added-after", flags->added_after, "Only objects added after this timestamp");
  cmd->add_option("--added-before", flags->added_before, "Only objects added before this timestamp");
  cmd->add_flag("--valid-now", flags->request.valid_now, "Only objects valid now (not revoked, within validity)");
  AddSearchFlags(*cmd, *flags);
  cmd->callback([&global, flags] { global.exit_code = Run(global, *flags); });
}

}  // namespace kizuna::cli
