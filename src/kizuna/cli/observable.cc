// Kizuna. `kizuna observable VALUE [--as USER] [--json] [--limit N]`: the objects that carry
// a value (an address, domain, URL, hash, e-mail address, ATT&CK or CVE id, ...), and for an
// address the indicators whose blocks contain it, as the policy releases them
// (docs/search.md).
#include <CLI/CLI.hpp>

#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/cli/search_common.h"
#include "kizuna/search/answer_json.h"

namespace kizuna::cli {
namespace {

struct ObservableFlags : SearchFlags {
  std::string value;
};

int Run(GlobalOptions& global, const ObservableFlags& flags) {
  auto session = OpenSearch(global, flags);
  if (!session.ok()) return ReportError(session.status());
  auto answer = (*session)->searcher->Observable((*session)->principal, flags.value, {.limit = flags.limit});
  if (!answer.ok()) return ReportError(answer.status());
  if (!flags.json) {
    std::string head = StrCat(answer->value, answer->common ? "  [common]" : "",
                              answer->listed_in.empty() ? "" : StrCat("  (warninglist ", answer->listed_in, ")"), "\n");
    std::fputs(head.c_str(), stdout);
  }
  return PrintAnswer(*answer, search::AnswerJson(*answer), flags.json);
}

}  // namespace

void AddObservableCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "observable", "Find the objects that carry a value, and the address blocks that contain an address");
  auto flags = std::make_shared<ObservableFlags>();
  cmd->add_option("VALUE", flags->value, "An address or block, domain, URL, hash, e-mail address, external id, ...")
      ->required();
  AddSearchFlags(*cmd, *flags);
  cmd->callback([&global, flags] { global.exit_code = Run(global, *flags); });
}

}  // namespace kizuna::cli
