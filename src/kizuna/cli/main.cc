// Kizuna. The `kizuna` binary: parses global flags and dispatches to one subcommand.
#include <CLI/CLI.hpp>

#include <cstdlib>

#include "kizuna/cli/command.h"

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
  AddExportCommand(app, global);
  AddAdminCommand(app, global);
  AddServeCommand(app, global);
  AddPeerCommand(app, global);
  AddSyncCommand(app, global);
  AddMatchCommand(app, global);
  AddCheckCommand(app, global);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  return global.exit_code;
}
