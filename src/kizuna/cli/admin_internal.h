// Kizuna. The parts of `kizuna admin`, one per file; not for other modules.
#pragma once

// admin.cc adds the `admin` subcommand and calls each of these to add its children.
// Thread-safety: single-threaded, as cli/.

#include <CLI/CLI.hpp>

#include "kizuna/cli/command.h"

namespace kizuna::cli::admin {

void AddOrgCommands(CLI::App& admin, GlobalOptions& global);    // org, group
void AddUserCommands(CLI::App& admin, GlobalOptions& global);   // user
void AddUserCertCommands(CLI::App& user, GlobalOptions& global);  // user cert
void AddTokenCommands(CLI::App& admin, GlobalOptions& global);  // token
void AddGrantCommands(CLI::App& admin, GlobalOptions& global);  // grant, revoke-grant, grants
void AddAuditCommand(CLI::App& admin, GlobalOptions& global);   // audit

}  // namespace kizuna::cli::admin
