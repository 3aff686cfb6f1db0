// Kizuna. `kizuna admin org add|list` and `kizuna admin group add|join|leave|list`.
#include "kizuna/base/strings.h"
#include "kizuna/cli/admin_common.h"
#include "kizuna/cli/admin_internal.h"

namespace kizuna::cli::admin {
namespace {

struct OrgFlags {
  std::string name, nation, id;
  bool json = false;
};

int AddOrg(const GlobalOptions& global, const OrgFlags& f) {
  auto db = Open(global);
  if (!db.ok()) return ReportError(db.status());
  auto org = (*db)->CreateOrganization(kActor, {f.name, f.nation, f.id});
  if (!org.ok()) return ReportError(org.status());
  if (f.json) {
    PrintJson(OrganizationJson(*org));
  } else {
    Print(StrCat("created organisation '", org->name, "' of ", org->nation, ": ", org->id, "\n"));
  }
  return kExitOk;
}

int ListOrgs(const GlobalOptions& global, bool json) {
  auto db = Open(global);
  if (!db.ok()) return ReportError(db.status());
  auto orgs = (*db)->ListOrganizations();
  if (!orgs.ok()) return ReportError(orgs.status());
  boost::json::array out;
  for (const store::Organization& org : *orgs) {
    if (json) {
      out.push_back(OrganizationJson(org));
    } else {
      Print(StrCat(org.id, "  ", org.nation, "  ", org.name, "\n"));
    }
  }
  if (json) PrintJson(out);
  return kExitOk;
}

struct GroupFlags {
  std::string group, org;
};

enum class GroupOp : uint8_t { kAdd, kJoin, kLeave };

int ChangeGroup(const GlobalOptions& global, const GroupFlags& f, GroupOp op) {
  auto db = Open(global);
  if (!db.ok()) return ReportError(db.status());
  store::Directory& dir = **db;
  absl::Status s = op == GroupOp::kAdd    ? dir.CreateGroup(kActor, f.group)
                   : op == GroupOp::kJoin ? dir.JoinGroup(kActor, f.group, f.org)
                                          : dir.LeaveGroup(kActor, f.group, f.org);
  if (!s.ok()) return ReportError(s);
  Print(op == GroupOp::kAdd    ? StrCat("created group '", f.group, "'\n")
        : op == GroupOp::kJoin ? StrCat("'", f.org, "' joined group '", f.group, "'\n")
                               : StrCat("'", f.org, "' left group '", f.group, "'\n"));
  return kExitOk;
}

int ListGroups(const GlobalOptions& global, bool json) {
  auto db = Open(global);
  if (!db.ok()) return ReportError(db.status());
  auto groups = (*db)->ListGroups();
  if (!groups.ok()) return ReportError(groups.status());
  auto orgs = (*db)->ListOrganizations();
  if (!orgs.ok()) return ReportError(orgs.status());
  auto name_of = [&](const std::string& id) { return OrgName(*orgs, id); };
  boost::json::array out;
  for (const store::Group& g : *groups) {
    boost::json::array members;
    std::string names;
    for (const std::string& id : g.members) {
      members.push_back({{"id", id}, {"name", name_of(id)}});
      StrAppend(names, names.empty() ? "" : ", ", name_of(id));
    }
    if (json) {
      out.push_back({{"name", g.name}, {"members", members}});
    } else {
      Print(StrCat(g.name, ": ", names.empty() ? "(no members)" : names, "\n"));
    }
  }
  if (json) PrintJson(out);
  return kExitOk;
}

}  // namespace

void AddOrgCommands(CLI::App& admin, GlobalOptions& global) {
  auto* org = admin.add_subcommand("org", "Organisations: STIX identities of one nation each");
  org->require_subcommand(1);
  auto flags = std::make_shared<OrgFlags>();
  auto* add = org->add_subcommand("add", "Create an organisation");
  add->add_option("--name", flags->name, "Name, unique on the node")->required();
  add->add_option("--nation", flags->nation, "ISO 3166-1 alpha-3 code, e.g. JPN")
      ->required()
      ->check(NationCode());
  add->add_option("--id", flags->id, "STIX identity id (default: a new identity--<UUIDv4>)");
  add->add_flag("--json", flags->json, "Print the organisation as JSON");
  add->callback([&global, flags] { global.exit_code = AddOrg(global, *flags); });
  auto list_json = std::make_shared<bool>(false);
  auto* list = org->add_subcommand("list", "List organisations");
  list->add_flag("--json", *list_json, "Print a JSON array");
  list->callback([&global, list_json] { global.exit_code = ListOrgs(global, *list_json); });

  auto* group = admin.add_subcommand("group", "Groups of organisations (sharing communities)");
  group->require_subcommand(1);
  auto g = std::make_shared<GroupFlags>();
  auto* gadd = group->add_subcommand("add", "Create a group, e.g. jpn-usa");
  gadd->add_option("GROUP", g->group, "Group name: 1-64 of [a-z0-9._-]")->required();
  gadd->callback([&global, g] { global.exit_code = ChangeGroup(global, *g, GroupOp::kAdd); });
  auto* join = group->add_subcommand("join", "Add an organisation to a group");
  join->add_option("GROUP", g->group, "Group name")->required();
  join->add_option("ORG", g->org, "Organisation name or id")->required();
  join->callback([&global, g] { global.exit_code = ChangeGroup(global, *g, GroupOp::kJoin); });
  auto* leave = group->add_subcommand("leave", "Remove an organisation from a group");
  leave->add_option("GROUP", g->group, "Group name")->required();
  leave->add_option("ORG", g->org, "Organisation name or id")->required();
  leave->callback([&global, g] { global.exit_code = ChangeGroup(global, *g, GroupOp::kLeave); });
  auto glist_json = std::make_shared<bool>(false);
  auto* glist = group->add_subcommand("list", "List groups and their members");
  glist->add_flag("--json", *glist_json, "Print a JSON array");
  glist->callback([&global, glist_json] { global.exit_code = ListGroups(global, *glist_json); });
}

}  // namespace kizuna::cli::admin
