// Kizuna. `kizuna init [--store postgresql://...]`: create the data directory (0700) and its
// store (0600), or record the PostgreSQL database that is its store.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "kizuna/base/clock.h"
#include "kizuna/base/random.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/node/preflight.h"
#include "kizuna/store/open.h"

namespace kizuna::cli {

void AddInitCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "init", "Create the data directory (0700) and its store (0600), or close them to other accounts (idempotent)");
  auto api_root = std::make_shared<std::string>(store::kDefaultApiRoot);
  cmd->add_option("--api-root", *api_root, "Name of the first API root")->capture_default_str();
  auto store_url = std::make_shared<std::string>();
  cmd->add_option(
      "--store", *store_url,
      "postgresql://... : keep the store in that database (recorded in the data directory, "
      "which keeps the keys; docs/deploy.md)");
  cmd->callback([&global, api_root, store_url] {
    std::vector<store::ModeChange> tightened;
    auto s = store::InitDataDir(global.data_dir, *api_root, SystemClock(), &tightened, *store_url);
    ReportTightened(tightened);
    if (!s.ok()) {
      global.exit_code = ReportError(s.status());
      return;
    }
    // A node on PostgreSQL may run as several processes: each copy of the directory must hold
    // the same `next`-token key, so it is made now rather than at the first `kizuna serve`.
    if (!store_url->empty()) {
      if (auto key = node::NextTokenKey(global.data_dir, SecureRandom()); !key.ok()) {
        global.exit_code = ReportError(key.status());
        return;
      }
    }
    std::string line = StrCat("initialised ", global.data_dir, "\n");
    std::fputs(line.c_str(), stdout);
  });
}

}  // namespace kizuna::cli
