// Kizuna. `kizuna admin`: organisations, groups, users, tokens, grants and the audit log.
#include <CLI/CLI.hpp>

#include "kizuna/cli/admin_internal.h"
#include "kizuna/cli/command.h"

namespace kizuna::cli {

void AddAdminCommand(CLI::App& app, GlobalOptions& global) {
  auto* admin = app.add_subcommand(
      "admin", "Manage identity and access: organisations, groups, users, tokens, grants, audit");
  admin->require_subcommand(1);
  admin::AddOrgCommands(*admin, global);
  admin::AddUserCommands(*admin, global);
  admin::AddTokenCommands(*admin, global);
  admin::AddGrantCommands(*admin, global);
  admin::AddAuditCommand(*admin, global);
}

}  // namespace kizuna::cli
