// Kizuna. The `kizuna` binary: parses global flags and dispatches to one subcommand.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/cli/feed.h"

namespace {

// Returns the first argument that should name a command but names none of `app`'s, or empty.
// Options before the command are skipped (and --data-dir's value).
std::string_view UnknownCommand(CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--data-dir") {
      ++i;
      continue;
    }
    if (arg.starts_with("-")) continue;
    for (const CLI::App* sub : app.get_subcommands({})) {
      if (sub->get_name() == arg) return {};
    }
    return arg;
  }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  using namespace kizuna::cli;
  CLI::App app{"Kizuna: allied cyber-threat intelligence sharing, detection and exercises"};
  app.require_subcommand(1);
  GlobalOptions global;
  if (const char* env = std::getenv("KIZUNA_DATA"); env != nullptr && *env != '\0') {
    global.data_dir = env;
  }
  app.add_option("--data-dir", global.data_dir, "Data directory (default ./kizuna-data or $KIZUNA_DATA)");

  AddPatternCommand(app, global);

  AddInitCommand(app, global);
  AddCollectionCommand(app, global);
  AddValidateCommand(app, global);
  AddImportCommand(app, global);
  AddFeedCommand(app, global);
  AddExportCommand(app, global);
  AddDeleteCommand(app, global);
  AddRevokeCommand(app, global);
  AddAdminCommand(app, global);
  AddServeCommand(app, global);
  AddPeerCommand(app, global);
  AddSyncCommand(app, global);
  AddMatchCommand(app, global);
  AddShipCommand(app, global);
  AddBusCommand(app, global);
  AddExerciseCommand(app, global);
  AddAllowlistCommand(app, global);
  AddCheckCommand(app, global);
  AddPolicyCommand(app, global);
  AddProvenanceCommand(app, global);
  AddBriefCommand(app, global);
  AddIndexCommand(app, global);
  AddStoreCommand(app, global);
  AddSearchCommand(app, global);
  AddObservableCommand(app, global);
  AddRelatedCommand(app, global);

  app.set_version_flag("--version", std::string("kizuna ") + KIZUNA_VERSION);

  if (std::string_view unknown = UnknownCommand(app, argc, argv); !unknown.empty()) {
    std::string commands;
    for (const CLI::App* sub : app.get_subcommands({})) {
      kizuna::StrAppend(commands, commands.empty() ? "" : ", ", sub->get_name());
    }
    std::string text = kizuna::StrCat("kizuna: unknown command '", unknown, "'; the commands are ", commands,
                                      " (kizuna COMMAND --help)\n");
    std::fputs(text.c_str(), stderr);
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  return global.exit_code;
}
