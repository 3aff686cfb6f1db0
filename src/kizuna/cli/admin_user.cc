// Kizuna. `kizuna admin user add|list|disable|enable|set-roles|passwd`.
#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "kizuna/api/password.h"
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
  bool stdin_password = false;
  bool clear = false;
};

// Reads one line from standard input; from a terminal without echo, after `prompt`.
std::optional<std::string> ReadSecretLine(std::string_view prompt) {
  const bool tty = ::isatty(STDIN_FILENO) == 1;
  termios old{};
  if (tty) {
    std::cerr << prompt << std::flush;
    ::tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    std::cerr << "\n";
  }
  if (!got) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int SetPassword(const GlobalOptions& global, const UserFlags& f) {
  std::string hash;
  if (!f.clear) {
    if (!f.stdin_password && ::isatty(STDIN_FILENO) != 1) {
      return ReportError(absl::InvalidArgumentError("standard input is not a terminal: pass --stdin to read the password from it"));
    }
    std::optional<std::string> password = ReadSecretLine(StrCat("New password for '", f.name, "': "));
    if (!password) return ReportError(absl::InvalidArgumentError("no password was given"));
    if (!f.stdin_password) {
      std::optional<std::string> again = ReadSecretLine("Again: ");
      if (!again || *again != *password) return ReportError(absl::InvalidArgumentError("the passwords differ"));
    }
    absl::StatusOr<std::string> h = api::HashPassword(*password);
    if (!h.ok()) return ReportError(h.status());
    hash = std::move(*h);
  }
  auto db = Open(global);
  if (!db.ok()) return ReportError(db.status());
  absl::Status s = (*db)->SetUserPassword(kActor, f.name, hash);
  if (!s.ok()) return ReportError(s);
  Print(StrCat(f.clear ? "cleared the password of" : "set the password of", " user '", f.name, "'\n"));
  return kExitOk;
}

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

  auto* roles = user->add_subcommand(
      "set-roles", "Replace a user's roles (a promotion to node-admin or peer revokes its tokens and clears its password)");
  roles->add_option("NAME", f->name, "User name")->required();
  roles->add_option("--role", f->roles, kRoleHelp)->required()->check(RoleName());
  roles->callback([&global, f] { global.exit_code = SetRoles(global, *f); });

  auto* passwd = user->add_subcommand(
      "passwd", "Set a user's password for the web console (read without echo from the terminal, or --stdin)");
  passwd->add_option("NAME", f->name, "User name")->required();
  passwd->add_flag("--stdin", f->stdin_password, "Read the password as one line from standard input");
  passwd->add_flag("--clear", f->clear, "Remove the password: the user signs in with a token only");
  passwd->callback([&global, f] { global.exit_code = SetPassword(global, *f); });

  AddUserCertCommands(*user, global);
}

}  // namespace kizuna::cli::admin
