// Kizuna. `kizuna collection create|list`: manage TAXII collections.
#include <CLI/CLI.hpp>

#include <boost/json.hpp>
#include <cstdio>

#include "kizuna/base/clock.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/store/open.h"

namespace kizuna::cli {
namespace {

struct CreateFlags {
  std::string title, alias, description, api_root, id;
};

boost::json::object CollectionJson(const store::Collection& c, int64_t count) {
  return {{"id", c.id},       {"api_root", c.api_root},       {"alias", c.alias},
          {"title", c.title}, {"description", c.description}, {"objects", count}};
}

void Print(const boost::json::value& v) {
  std::string text = boost::json::serialize(v) + "\n";
  std::fputs(text.c_str(), stdout);
}

int Create(GlobalOptions& global, const CreateFlags& f) {
  auto store = store::OpenDataDir(global.data_dir, SystemClock());
  if (!store.ok()) return ReportError(store.status());
  std::string root = f.api_root;
  if (root.empty()) {
    auto roots = (*store)->ListApiRoots();
    if (!roots.ok()) return ReportError(roots.status());
    if (roots->empty()) return ReportError(absl::FailedPreconditionError("no API root: run `kizuna init`"));
    root = roots->front().name;
  }
  auto c = (*store)->CreateCollection({f.id, root, f.alias, f.title, f.description, 0});
  if (!c.ok()) return ReportError(c.status());
  Print(CollectionJson(*c, 0));
  return kExitOk;
}

int List(GlobalOptions& global, bool json) {
  auto store = store::OpenDataDir(global.data_dir, SystemClock());
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
                                *n, " objects  ", c.title, "\n");
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
  create->callback([&global, flags] { global.exit_code = Create(global, *flags); });

  auto json = std::make_shared<bool>(false);
  auto* list = cmd->add_subcommand("list", "List collections with their object counts");
  list->add_flag("--json", *json, "Print a JSON array");
  list->callback([&global, json] { global.exit_code = List(global, *json); });
}

}  // namespace kizuna::cli
