// Kizuna. `kizuna admin user add|list|disable|enable|set-roles`.
#include "kizuna/base/strings.h"
#include "kizuna/cli/admin_common.h"
#include "kizuna/cli/admin_internal.h"
#include "kizuna/identity/roles.h"

namespace kizuna::cli::admin {
namespace {

struct UserFlags {
  std::string name, org;
  std::vector<std::string> roles;
  bool json = false;
};

int AddUser(const GlobalOptions& global, const UserFlags& f) {
  auto db = Open(global);
  if (!db.ok()) return ReportError(db.status());
  auto user = (*db)->CreateUser(kActor, {f.name, f.org, RoleBits(f.roles)});
  if (!user.ok()) return ReportError(user.status());
  if (f.json) {
    PrintJson(UserJson(*user));
  } else {
    Print(StrCat("created user '", user->name, "' (", identity::RoleList(user->roles), ") of '",
                 f.org, "'\n"));
  }
  return kExitOk;
}

int ListUsers(const GlobalOptions& global, bool json) {
  auto db = Open(global);
  if (!db.ok()) return ReportError(db.status());
  auto users = (*db)->ListUsers();
  if (!users.ok()) return ReportError(users.status());
  auto orgs = (*db)->ListOrganizations();
  if (!orgs.ok()) return ReportError(orgs.status());
  boost::json::array out;
  for (const store::User& u : *users) {
    if (json) {
      out.push_back(UserJson(u));
    } else {
      Print(StrCat(u.name, "  ", OrgName(*orgs, u.organization), "  ", identity::RoleList(u.roles),
                   u.disabled ? "  (disabled)" : "", "\n"));
    }
  }
  if (json) PrintJson(out);
  return kExitOk;
}

int SetDisabled(const GlobalOptions& global, const UserFlags& f, bool disabled) {
  auto db = Open(global);
  if (!db.ok()) return ReportError(db.status());
  absl::Status s = (*db)->SetUserDisabled(kActor, f.name, disabled);
  if (!s.ok()) return ReportError(s);
  Print(StrCat(disabled ? "disabled" : "enabled", " user '", f.name, "'\n"));
  return kExitOk;
}

int SetRoles(const GlobalOptions& global, const UserFlags& f) {
  auto db = Open(global);
  if (!db.ok()) return ReportError(db.status());
  uint8_t roles = RoleBits(f.roles);
  absl::Status s = (*db)->SetUserRoles(kActor, f.name, roles);
  if (!s.ok()) return ReportError(s);
  Print(StrCat("user '", f.name, "' now has roles ", identity::RoleList(roles), "\n"));
  return kExitOk;
}

}  // namespace

void AddUserCommands(CLI::App& admin, GlobalOptions& global) {
  auto* user = admin.add_subcommand("user", "Users: one organisation each, with roles");
  user->require_subcommand(1);
  auto f = std::make_shared<UserFlags>();
  constexpr const char* kRoleHelp =
      "Role (repeatable): reader, publisher (reads and writes), org-admin, node-admin, peer (a partner node)";

  auto* add = user->add_subcommand("add", "Create a user");
  add->add_option("NAME", f->name, "User name: 1-64 of [A-Za-z0-9._@-]")->required();
  add->add_option("--org", f->org, "Organisation name or id")->required();
  add->add_option("--role", f->roles, kRoleHelp)->required()->check(RoleName());
  add->add_flag("--json", f->json, "Print the user as JSON");
  add->callback([&global, f] { global.exit_code = AddUser(global, *f); });

  auto* list = user->add_subcommand("list", "List users");
  list->add_flag("--json", f->json, "Print a JSON array");
  list->callback([&global, f] { global.exit_code = ListUsers(global, f->json); });

  auto* disable = user->add_subcommand("disable", "Stop a user's tokens from authenticating");
  disable->add_option("NAME", f->name, "User name")->required();
  disable->callback([&global, f] { global.exit_code = SetDisabled(global, *f, true); });

  auto* enable = user->add_subcommand("enable", "Let a disabled user authenticate again");
  enable->add_option("NAME", f->name, "User name")->required();
  enable->callback([&global, f] { global.exit_code = SetDisabled(global, *f, false); });

  auto* roles = user->add_subcommand("set-roles", "Replace a user's roles");
  roles->add_option("NAME", f->name, "User name")->required();
  roles->add_option("--role", f->roles, kRoleHelp)->required()->check(RoleName());
  roles->callback([&global, f] { global.exit_code = SetRoles(global, *f); });

  AddUserCertCommands(*user, global);
}

}  // namespace kizuna::cli::admin
