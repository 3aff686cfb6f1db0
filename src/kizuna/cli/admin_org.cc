// Kizuna. `kizuna admin org add|list|export|import` and `kizuna admin group add|join|leave|list`.
#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/admin_common.h"
#include "kizuna/cli/admin_internal.h"
#include "kizuna/store/org_exchange.h"

namespace kizuna::cli::admin {
namespace {

struct OrgFlags {
  std::string name, nation, id;
  bool partner = false;
  bool json = false;
};

int AddOrg(const GlobalOptions& global, const OrgFlags& f) {
  auto db = Open(global);
  if (!db.ok()) return ReportError(db.status());
  auto org = (*db)->CreateOrganization(kActor, {f.name, f.nation, f.id, f.partner});
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
      Print(StrCat(org.id, "  ", org.nation, "  ", org.name, org.partner ? "  (partner)" : "", "\n"));
    }
  }
  if (json) PrintJson(out);
  return kExitOk;
}

int ExportOrg(const GlobalOptions& global, const std::string& name) {
  auto db = Open(global);
  if (!db.ok()) return ReportError(db.status());
  auto org = (*db)->FindOrganization(name);
  if (!org.ok()) return ReportError(org.status());
  Print(StrCat(org->identity_json, "\n"));
  return kExitOk;
}

struct ImportFlags {
  std::string file, nation, name;
  bool json = false;
};

int ImportOrg(const GlobalOptions& global, const ImportFlags& f) {
  auto text = ReadFile(f.file, store::kMaxIdentityJsonBytes);
  if (!text.ok()) return ReportError(text.status());
  auto db = Open(global);
  if (!db.ok()) return ReportError(db.status());
  auto done = store::ImportOrganization(**db, kActor, {std::string_view(text->data(), text->size()), f.nation, f.name});
  if (!done.ok()) return ReportError(Annotate(done.status(), StrCat(f.file, ": ")));
  if (f.json) {
    boost::json::object out = OrganizationJson(done->org);
    out["added"] = done->added;
    PrintJson(out);
  } else {
    Print(StrCat(done->added ? "imported organisation '" : "organisation '", done->org.name, "' of ",
                 done->org.nation, done->added ? ": " : " was already here: ", done->org.id, "\n"));
  }
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
  add->add_flag("--partner", flags->partner,
                 "A partner's organisation, whose objects are made on its own node: a partner "
                 "node may not bring this node objects created by an organisation that is not "
                 "(docs/security.md)");
  add->add_flag("--json", flags->json, "Print the organisation as JSON");
  add->callback([&global, flags] { global.exit_code = AddOrg(global, *flags); });
  auto list_json = std::make_shared<bool>(false);
  auto* list = org->add_subcommand("list", "List organisations");
  list->add_flag("--json", *list_json, "Print a JSON array");
  list->callback([&global, list_json] { global.exit_code = ListOrgs(global, *list_json); });

  auto export_name = std::make_shared<std::string>();
  auto* exp = org->add_subcommand(
      "export", "Print the organisation's STIX identity (JSON) for a partner node to import (docs/federation.md)");
  exp->add_option("ORG", *export_name, "Organisation name or id")->required();
  exp->callback([&global, export_name] { global.exit_code = ExportOrg(global, *export_name); });
  auto imp_flags = std::make_shared<ImportFlags>();
  auto* imp = org->add_subcommand(
      "import",
      "Record a partner's organisation from the identity its node exported: the same id, so what it "
      "creates is attributed to it here. The nation is the one given here; a file that claims another, or "
      "an id already here with another nation, is refused (and audited)");
  imp->add_option("FILE", imp_flags->file, "The identity object, as `kizuna admin org export` printed it")
      ->required();
  imp->add_option("--nation", imp_flags->nation, "The organisation's nation as you know it: ISO 3166-1 alpha-3")
      ->required()
      ->check(NationCode());
  imp->add_option("--name", imp_flags->name, "Local name (default: the identity's name)");
  imp->add_flag("--json", imp_flags->json, "Print the organisation as JSON");
  imp->callback([&global, imp_flags] { global.exit_code = ImportOrg(global, *imp_flags); });

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
