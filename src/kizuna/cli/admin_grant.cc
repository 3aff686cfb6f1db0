// Kizuna. `kizuna admin grant|revoke-grant|grants`: who may read or write a collection.
#include "kizuna/base/strings.h"
#include "kizuna/cli/admin_common.h"
#include "kizuna/cli/admin_internal.h"

namespace kizuna::cli::admin {
namespace {

struct GrantFlags {
  std::string collection, org, group;
  bool read = false, write = false, json = false;
};

std::string PermissionText(store::Permissions p) {
  if (p.read && p.write) return "read and write";
  return p.read ? "read" : (p.write ? "write" : "no access");
}

// Resolves a collection id or alias to its id.
absl::StatusOr<std::string> CollectionId(store::Database& db, std::string_view id_or_alias) {
  auto c = db.FindCollection("", id_or_alias);
  if (!c.ok()) return c.status();
  return c->id;
}

int Change(const GlobalOptions& global, const GrantFlags& f, bool add) {
  auto db = Open(global);
  if (!db.ok()) return ReportError(db.status());
  auto collection = CollectionId(**db, f.collection);
  if (!collection.ok()) return ReportError(collection.status());
  store::Grantee grantee = f.org.empty() ? store::Grantee{store::GranteeKind::kGroup, f.group}
                                         : store::Grantee{store::GranteeKind::kOrganization, f.org};
  store::Permissions p{f.read, f.write};
  if (!add && !f.read && !f.write) p = {true, true};  // revoke-grant alone takes everything
  auto g = add ? (*db)->AddGrant(kActor, *collection, grantee, p)
               : (*db)->RemoveGrant(kActor, *collection, grantee, p);
  if (!g.ok()) return ReportError(g.status());
  if (f.json) {
    PrintJson(GrantJson(*g));
  } else {
    Print(StrCat(f.org.empty() ? "group '" : "organisation '", f.org.empty() ? f.group : f.org,
                 "' now has ", PermissionText(g->permissions), " on collection ", *collection,
                 "\n"));
  }
  return kExitOk;
}

int List(const GlobalOptions& global, const GrantFlags& f) {
  auto db = Open(global);
  if (!db.ok()) return ReportError(db.status());
  std::string collection;
  if (!f.collection.empty()) {
    auto id = CollectionId(**db, f.collection);
    if (!id.ok()) return ReportError(id.status());
    collection = *id;
  }
  auto grants = (*db)->ListGrants(collection);
  if (!grants.ok()) return ReportError(grants.status());
  auto orgs = (*db)->ListOrganizations();
  if (!orgs.ok()) return ReportError(orgs.status());
  auto names = ListCollectionNames(**db);
  if (!names.ok()) return ReportError(names.status());
  boost::json::array out;
  for (const store::Grant& g : *grants) {
    if (f.json) {
      out.push_back(GrantJson(g));
      continue;
    }
    bool org = g.grantee.kind == store::GranteeKind::kOrganization;
    Print(StrCat(CollectionName(*names, g.collection), "  ", org ? "organisation " : "group ",
                 org ? OrgName(*orgs, g.grantee.name) : g.grantee.name, "  ",
                 PermissionText(g.permissions), "\n"));
  }
  if (f.json) PrintJson(out);
  return kExitOk;
}

// Adds --org/--group (exactly one; the callbacks check one is there) and --read/--write.
void AddGranteeOptions(CLI::App* cmd, GrantFlags& f, std::string_view verb) {
  cmd->add_option("COLLECTION", f.collection, "Collection id or alias")->required();
  auto* org = cmd->add_option("--org", f.org, "Organisation name or id");
  auto* group = cmd->add_option("--group", f.group, "Group name");
  org->excludes(group);
  group->excludes(org);
  cmd->add_flag("--read", f.read, StrCat(verb, " reading"));
  cmd->add_flag("--write", f.write, StrCat(verb, " writing"));
  cmd->add_flag("--json", f.json, "Print the resulting grant as JSON");
}

}  // namespace

void AddGrantCommands(CLI::App& admin, GlobalOptions& global) {
  auto f = std::make_shared<GrantFlags>();
  auto* grant = admin.add_subcommand(
      "grant", "Let an organisation or group read and/or write a collection (adds to a grant)");
  AddGranteeOptions(grant, *f, "Allow");
  grant->callback([&global, f] {
    if (f->org.empty() == f->group.empty() || (!f->read && !f->write)) {
      ReportError(
          absl::InvalidArgumentError("grant needs --org or --group, and --read, --write or both"));
      global.exit_code = kExitUsage;
      return;
    }
    global.exit_code = Change(global, *f, true);
  });

  auto* revoke = admin.add_subcommand(
      "revoke-grant", "Take reading and/or writing away (both when neither flag is given)");
  AddGranteeOptions(revoke, *f, "Take away");
  revoke->callback([&global, f] {
    if (f->org.empty() == f->group.empty()) {
      ReportError(absl::InvalidArgumentError("revoke-grant needs --org or --group"));
      global.exit_code = kExitUsage;
      return;
    }
    global.exit_code = Change(global, *f, false);
  });

  auto* list = admin.add_subcommand("grants", "List grants, of one collection or of all");
  list->add_option("COLLECTION", f->collection, "Collection id or alias");
  list->add_flag("--json", f->json, "Print a JSON array");
  list->callback([&global, f] { global.exit_code = List(global, *f); });
}

}  // namespace kizuna::cli::admin
