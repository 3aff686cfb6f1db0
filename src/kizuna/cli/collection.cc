// Kizuna. `kizuna collection create|policy|list`: manage TAXII collections.
#include <CLI/CLI.hpp>

#include <boost/json.hpp>
#include <cstdio>

#include "kizuna/base/clock.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/identity/release.h"
#include "kizuna/store/open.h"

namespace kizuna::cli {
namespace {

struct CreateFlags {
  std::string title, alias, description, api_root, id;
  std::vector<std::string> communities;
  std::string default_release{identity::kDefaultReleaseText};
  bool exercise = false;
};

struct PolicyFlags {
  std::string collection;
  std::vector<std::string> communities;
  std::string default_release{identity::kDefaultReleaseText};
};

boost::json::object CollectionJson(const store::Collection& c, int64_t count) {
  return {{"id", c.id},       {"api_root", c.api_root},       {"alias", c.alias},
          {"title", c.title}, {"description", c.description}, {"objects", count},
          {"communities", boost::json::array(c.communities.begin(), c.communities.end())},
          {"default_release", c.default_release}, {"exercise", c.exercise}};
}

std::string Json(const boost::json::value& v) { return boost::json::serialize(v); }

void Print(const boost::json::value& v) {
  std::string text = Json(v) + "\n";
  std::fputs(text.c_str(), stdout);
}

int Create(GlobalOptions& global, const CreateFlags& f) {
  // Checked before the collection exists, so a wrong option leaves nothing behind.
  absl::Status release = identity::CheckCollectionRelease(f.communities, f.default_release);
  if (!release.ok()) return ReportError(release);
  auto store = OpenNodeDatabase(global.data_dir);
  if (!store.ok()) return ReportError(store.status());
  std::string root = f.api_root;
  if (root.empty()) {
    auto roots = (*store)->ListApiRoots();
    if (!roots.ok()) return ReportError(roots.status());
    if (roots->empty()) return ReportError(absl::FailedPreconditionError("no API root: run `kizuna init`"));
    root = roots->front().name;
  }
  store::Collection wanted{f.id, root, f.alias, f.title, f.description, 0};
  wanted.exercise = f.exercise;
  auto c = (*store)->CreateCollection(std::move(wanted));
  if (!c.ok()) return ReportError(c.status());
  absl::Status set = (*store)->SetCollectionPolicy(c->id, f.communities, f.default_release);
  if (!set.ok()) return ReportError(set);
  c->communities = f.communities;
  c->default_release = f.default_release;
  absl::Status audited = AuditCommand(**store, "collection.create", c->id, Json(CollectionJson(*c, 0)));
  Print(CollectionJson(*c, 0));
  return audited.ok() ? kExitOk : ReportError(audited);
}

int SetPolicy(GlobalOptions& global, const PolicyFlags& f) {
  auto store = OpenNodeDatabase(global.data_dir);
  if (!store.ok()) return ReportError(store.status());
  auto c = (*store)->FindCollection("", f.collection);
  if (!c.ok()) return ReportError(c.status());
  absl::Status set = (*store)->SetCollectionPolicy(c->id, f.communities, f.default_release);
  if (!set.ok()) return ReportError(set);
  c->communities = f.communities;
  c->default_release = f.default_release;
  boost::json::object details{{"communities", boost::json::array(c->communities.begin(), c->communities.end())},
                              {"default_release", c->default_release}};
  absl::Status audited = AuditCommand(**store, "collection.policy", c->id, Json(details));
  if (!audited.ok()) return ReportError(audited);
  auto n = (*store)->CountObjects(c->id);
  if (!n.ok()) return ReportError(n.status());
  Print(CollectionJson(*c, *n));
  return kExitOk;
}

int List(GlobalOptions& global, bool json) {
  auto store = OpenNodeDatabase(global.data_dir);
  if (!store.ok()) return ReportError(store.status());
  auto all = (*store)->ListCollections("");
  if (!all.ok()) return ReportError(all.status());
  boost::json::array out;
  for (const auto& c : *all) {
    auto n = (*store)->CountObjects(c.id);
    if (!n.ok()) return ReportError(n.status());
    if (json) {
      out.push_back(CollectionJson(c, *n));
    } else {
      std::string line = StrCat(c.id, "  ", c.api_root, "/", c.alias.empty() ? "-" : c.alias, "  ",
                                *n, " objects  ", c.title, c.exercise ? "  [exercise]" : "", "\n");
      std::fputs(line.c_str(), stdout);
    }
  }
  if (json) Print(out);
  return kExitOk;
}

}  // namespace

void AddCollectionCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("collection", "Create and list TAXII collections");
  cmd->require_subcommand(1);

  auto flags = std::make_shared<CreateFlags>();
  auto* create = cmd->add_subcommand("create", "Create a collection; prints it as JSON");
  create->add_option("--title", flags->title, "Title shown to TAXII clients")->required();
  create->add_option("--alias", flags->alias, "Short unique name, usable instead of the id");
  create->add_option("--description", flags->description, "Description");
  create->add_option("--api-root", flags->api_root, "API root (default: the first one)");
  create->add_option("--id", flags->id, "Collection id, a UUID (default: a new one)");
  constexpr const char* kCommunitiesHelp =
      "Sharing communities the collection serves (repeatable or comma-separated), e.g. jpn-usa";
  constexpr const char* kDefaultHelp =
      "Release of objects without TLP/releasability/recipients markings: creator-nation "
      "(default), readers, communities, or a list such as USA,JPN,jpn-usa (docs/policy.md)";
  create->add_option("--community", flags->communities, kCommunitiesHelp)->delimiter(',');
  create->add_option("--default-release", flags->default_release, kDefaultHelp);
  create->add_flag("--exercise", flags->exercise,
                   "An exercise collection: the only kind that accepts objects with the exercise "
                   "marking; synced only with peers in one of its communities (docs/exercise.md). "
                   "Fixed at creation");
  create->callback([&global, flags] { global.exit_code = Create(global, *flags); });

  auto pflags = std::make_shared<PolicyFlags>();
  auto* set = cmd->add_subcommand("policy", "Set a collection's communities and default release; prints it");
  set->add_option("COLLECTION", pflags->collection, "Collection id or alias")->required();
  set->add_option("--community", pflags->communities, kCommunitiesHelp)->delimiter(',');
  set->add_option("--default-release", pflags->default_release, kDefaultHelp);
  set->callback([&global, pflags] { global.exit_code = SetPolicy(global, *pflags); });

  auto json = std::make_shared<bool>(false);
  auto* list = cmd->add_subcommand("list", "List collections with their object counts");
  list->add_flag("--json", *json, "Print a JSON array");
  list->callback([&global, json] { global.exit_code = List(global, *json); });
}

}  // namespace kizuna::cli
