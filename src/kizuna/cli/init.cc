// Kizuna. `kizuna init`: create the data directory (0700) and its store (0600).
#include <CLI/CLI.hpp>

#include <cstdio>

#include "kizuna/base/clock.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/store/open.h"

namespace kizuna::cli {

void AddInitCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "init", "Create the data directory (0700) and its store (0600), or close them to other accounts (idempotent)");
  auto api_root = std::make_shared<std::string>(store::kDefaultApiRoot);
  cmd->add_option("--api-root", *api_root, "Name of the first API root")->capture_default_str();
  cmd->callback([&global, api_root] {
    std::vector<store::ModeChange> tightened;
    auto s = store::InitDataDir(global.data_dir, *api_root, SystemClock(), &tightened);
    ReportTightened(tightened);
    if (!s.ok()) {
      global.exit_code = ReportError(s.status());
      return;
    }
    std::string line = StrCat("initialised ", global.data_dir, "\n");
    std::fputs(line.c_str(), stdout);
  });
}

}  // namespace kizuna::cli
