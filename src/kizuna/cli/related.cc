// Kizuna. `kizuna related ID [--as USER] [--json] [--limit N]`: the objects related to an
// object, each with why: a value they share, a block containing its address, a sighting, a
// relationship (and the object at its other end), a report listing it; as the policy
// releases them (docs/search.md).
#include <CLI/CLI.hpp>

#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/cli/search_common.h"
#include "kizuna/search/answer_json.h"
#include "kizuna/stix/id.h"

namespace kizuna::cli {
namespace {

struct RelatedFlags : SearchFlags {
  std::string id;
};

int Run(GlobalOptions& global, const RelatedFlags& flags) {
  if (!stix::ParseId(flags.id).ok()) {
    return ReportError(absl::InvalidArgumentError(StrCat("'", flags.id, "' is not a STIX id (type--UUID)")));
  }
  auto session = OpenSearch(global, flags);
  if (!session.ok()) return ReportError(session.status());
  auto answer = (*session)->searcher->Related((*session)->principal, flags.id, {.limit = flags.limit});
  if (!answer.ok()) return ReportError(answer.status());
  return PrintAnswer(*answer, search::AnswerJson(*answer), flags.json);
}

}  // namespace

void AddRelatedCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("related", "List the objects related to an object, each with why");
  auto flags = std::make_shared<RelatedFlags>();
  cmd->add_option("ID", flags->id, "The object's STIX id")->required();
  AddSearchFlags(*cmd, *flags);
  cmd->callback([&global, flags] { global.exit_code = Run(global, *flags); });
}

}  // namespace kizuna::cli
