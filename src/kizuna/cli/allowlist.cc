// Kizuna. `kizuna allowlist add|list|remove`: warninglists kept on the node.
//
//   kizuna allowlist add FILE|DIR... [--category C...] [--json]
//   kizuna allowlist list [--json]
//   kizuna allowlist remove NAME...
//
// Lists are copied into <data-dir>/allowlists/ (detect/allowlist_store.h: one file per list,
// written atomically), where `kizuna match` loads them unless --no-stored-allowlists. A
// folder is searched for MISP list.json files and .txt plain lists; --category keeps only
// lists of those categories (a MISP list's "category" or "type"; "plain" for plain lists).
// Exit codes: 0 done; 1 a failure (unreadable or malformed list, unknown name); 2 usage.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>

#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/detect/allowlist_store.h"

namespace kizuna::cli {
namespace {

struct AllowlistFlags {
  std::vector<std::string> paths;
  std::vector<std::string> categories;
  std::vector<std::string> names;
  bool json = false;
};

boost::json::object ListJson(const detect::StoredAllowlist& l) {
  return {{"name", l.name},
          {"title", l.title},
          {"type", l.type},
          {"category", l.category},
          {"entries", l.entries}};
}

void Print(const std::vector<detect::StoredAllowlist>& lists, bool json, std::string_view verb) {
  std::string text;
  if (json) {
    boost::json::array a;
    for (const auto& l : lists) a.push_back(ListJson(l));
    text = boost::json::serialize(a) + "\n";
  } else {
    for (const auto& l : lists) {
      StrAppend(text, verb, l.name, "  ", l.type, l.category.empty() ? "" : "/", l.category, "  ",
                l.entries, " entries  ", l.title, "\n");
    }
  }
  std::fputs(text.c_str(), stdout);
}

absl::StatusOr<detect::AllowlistStore> NodeLists(const GlobalOptions& global) {
  std::error_code ec;
  if (!std::filesystem::is_directory(global.data_dir, ec)) {
    return absl::NotFoundError(
        StrCat("no data directory at ", global.data_dir, " (run `kizuna init` first)"));
  }
  return detect::AllowlistStore(StrCat(global.data_dir, "/allowlists"));
}

int Add(const GlobalOptions& global, const AllowlistFlags& f) {
  auto lists = NodeLists(global);
  if (!lists.ok()) return ReportError(lists.status());
  std::vector<detect::StoredAllowlist> added;
  for (const std::string& path : f.paths) {
    auto some = lists->Add(path, f.categories);
    if (!some.ok()) return ReportError(some.status());
    added.insert(added.end(), some->begin(), some->end());
  }
  Print(added, f.json, "added ");
  if (!f.json) std::fputs(StrCat(added.size(), " list(s) stored\n").c_str(), stderr);
  return kExitOk;
}

int List(const GlobalOptions& global, const AllowlistFlags& f) {
  auto lists = NodeLists(global);
  if (!lists.ok()) return ReportError(lists.status());
  auto all = lists->List();
  if (!all.ok()) return ReportError(all.status());
  Print(*all, f.json, "");
  return kExitOk;
}

int Remove(const GlobalOptions& global, const AllowlistFlags& f) {
  auto lists = NodeLists(global);
  if (!lists.ok()) return ReportError(lists.status());
  for (const std::string& name : f.names) {
    if (absl::Status st = lists->Remove(name); !st.ok()) return ReportError(st);
    std::fputs(StrCat("removed ", name, "\n").c_str(), stdout);
  }
  return kExitOk;
}

}  // namespace

void AddAllowlistCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "allowlist", "Warninglists kept on the node, used by `kizuna match` (known-benign values)");
  cmd->require_subcommand(1);
  auto flags = std::make_shared<AllowlistFlags>();

  auto* add = cmd->add_subcommand(
      "add", "Store MISP warninglists (list.json) and plain lists (.txt), or folders of them");
  add->add_option("path", flags->paths, "List files or folders (searched recursively)")->required();
  add->add_option("--category", flags->categories,
                  "Store only lists of these categories: a MISP list's \"category\" or \"type\" "
                  "(cidr, hostname, string, substring, regex); \"plain\" for plain lists");
  add->add_flag("--json", flags->json, "Print the stored lists as JSON");
  add->callback([&global, flags] { global.exit_code = Add(global, *flags); });

  auto* list = cmd->add_subcommand(
      "list", "List the stored allowlists: name, type/category, entries, title");
  list->add_flag("--json", flags->json, "Print as JSON");
  list->callback([&global, flags] { global.exit_code = List(global, *flags); });

  auto* remove =
      cmd->add_subcommand("remove", "Remove stored allowlists by name (as `list` shows)");
  remove->add_option("name", flags->names, "List names")->required();
  remove->callback([&global, flags] { global.exit_code = Remove(global, *flags); });
}

}  // namespace kizuna::cli
