// Kizuna. `kizuna peer add|list|remove`: the partner nodes this node synchronises with.
#include <CLI/CLI.hpp>

#include <boost/json.hpp>
#include <cstdio>

#include "kizuna/base/clock.h"
#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/store/open.h"

namespace kizuna::cli {
namespace {

constexpr std::string_view kActor = "cli";
constexpr uint64_t kMaxTokenFileBytes = 4096;

struct PeerFlags {
  std::string name, url, api_root = "intel", token, token_file, ca_file, nation, organization;
  std::vector<std::string> communities, maps;
  bool json = false;
};

void Print(std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); }

// Parses one --map LOCAL:REMOTE[:pull|push|both]; LOCAL is a collection id or alias here.
absl::StatusOr<store::PeerMapping> ParseMap(store::Store& store, std::string_view text) {
  std::vector<std::string_view> parts;
  for (std::string_view rest = text;;) {
    size_t colon = rest.find(':');
    parts.push_back(rest.substr(0, colon));
    if (colon == std::string_view::npos) break;
    rest = rest.substr(colon + 1);
  }
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty()) {
    return absl::InvalidArgumentError(
        StrCat("--map '", text, "': expected LOCAL:REMOTE[:pull|push|both] (collection alias or id here, id there)"));
  }
  store::PeerMapping m;
  absl::StatusOr<store::Collection> local = store.FindCollection("", parts[0]);
  if (!local.ok()) return Annotate(local.status(), StrCat("--map '", text, "': "));
  m.local_collection = local->id;
  m.remote_collection = std::string(parts[1]);
  if (parts.size() == 3) {
    std::optional<store::SyncDirection> d = store::ParseSyncDirection(parts[2]);
    if (!d) return absl::InvalidArgumentError(StrCat("--map '", text, "': direction must be pull, push or both"));
    m.direction = *d;
  }
  return m;
}

int Add(GlobalOptions& global, const PeerFlags& f) {
  auto db = OpenNodeDatabase(global.data_dir);
  if (!db.ok()) return ReportError(db.status());
  store::Peer peer;
  peer.name = f.name;
  peer.url = f.url;
  while (peer.url.ends_with('/')) peer.url.pop_back();
  peer.api_root = f.api_root;
  peer.token = f.token;
  if (!f.token_file.empty()) {
    auto text = ReadFile(f.token_file, kMaxTokenFileBytes);
    if (!text.ok()) return ReportError(Annotate(text.status(), "--token-file: "));
    peer.token = std::string(text->data(), text->size());
    while (!peer.token.empty() && (peer.token.back() == '\n' || peer.token.back() == '\r')) peer.token.pop_back();
  }
  peer.ca_file = f.ca_file;
  peer.nation = f.nation;
  peer.communities = f.communities;
  peer.organization = f.organization;
  for (const std::string& text : f.maps) {
    auto m = ParseMap(**db, text);
    if (!m.ok()) return ReportError(m.status());
    peer.mappings.push_back(std::move(*m));
  }
  absl::Status added = (*db)->AddPeer(kActor, peer);
  if (!added.ok()) return ReportError(added);
  Print(StrCat("added peer '", peer.name, "' (", peer.nation, ") at ", peer.url, "/", peer.api_root, "/ with ",
               peer.mappings.size(), " collection mapping(s)\n"));
  return kExitOk;
}

boost::json::object PeerJson(const store::Peer& p) {
  boost::json::array mappings;
  for (const store::PeerMapping& m : p.mappings) {
    mappings.push_back({{"local_collection", m.local_collection},
                        {"remote_collection", m.remote_collection},
                        {"direction", store::SyncDirectionName(m.direction)}});
  }
  return {{"name", p.name},
          {"url", p.url},
          {"api_root", p.api_root},
          {"nation", p.nation},
          {"communities", boost::json::array(p.communities.begin(), p.communities.end())},
          {"organization", p.organization},
          {"ca_file", p.ca_file},
          {"mappings", std::move(mappings)}};  // never the token
}

int List(GlobalOptions& global, bool json) {
  auto db = OpenNodeDatabase(global.data_dir);
  if (!db.ok()) return ReportError(db.status());
  auto peers = (*db)->ListPeers();
  if (!peers.ok()) return ReportError(peers.status());
  auto names = ListCollectionNames(**db);
  if (!names.ok()) return ReportError(names.status());
  boost::json::array out;
  for (const store::Peer& p : *peers) {
    if (json) {
      out.push_back(PeerJson(p));
      continue;
    }
    Print(StrCat(p.name, "  ", p.nation, "  ", p.url, "/", p.api_root, "/\n"));
    for (const store::PeerMapping& m : p.mappings) {
      Print(StrCat("  ", CollectionName(*names, m.local_collection), " ", store::SyncDirectionName(m.direction), " ",
                   m.remote_collection, "\n"));
    }
  }
  if (json) Print(boost::json::serialize(out) + "\n");
  return kExitOk;
}

int Remove(GlobalOptions& global, const std::string& name) {
  auto db = OpenNodeDatabase(global.data_dir);
  if (!db.ok()) return ReportError(db.status());
  absl::Status removed = (*db)->RemovePeer(kActor, name);
  if (!removed.ok()) return ReportError(removed);
  Print(StrCat("removed peer '", name, "'\n"));
  return kExitOk;
}

}  // namespace

void AddPeerCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("peer", "Partner nodes this node synchronises with (docs/federation.md; what they receive: docs/policy.md)");
  cmd->require_subcommand(1);
  auto f = std::make_shared<PeerFlags>();
  auto* add = cmd->add_subcommand("add", "Add a peer: a TAXII 2.1 server with its nation and collection mappings");
  add->add_option("NAME", f->name, "Peer name: 1-64 of [a-z0-9._-]")->required();
  add->add_option("--url", f->url, "Base URL of the peer's TAXII server, https://host:port")->required();
  add->add_option("--api-root", f->api_root, "The peer's API root (default: intel)");
  auto* token = add->add_option("--token", f->token, "Token this node presents (Bearer)");
  add->add_option("--token-file", f->token_file, "File holding the token")->excludes(token);
  add->add_option("--ca-file", f->ca_file, "PEM CAs to trust for this peer (default: the system's)");
  add->add_option("--nation", f->nation, "The peer's nation, ISO 3166-1 alpha-3")->required();
  add->add_option("--community", f->communities, "Communities the peer belongs to (repeatable or comma-separated)")
      ->delimiter(',');
  add->add_option("--organization", f->organization, "The peer's organisation identity id (for recipients markings)");
  add->add_option("--map", f->maps, "LOCAL:REMOTE[:pull|push|both] (repeatable; default both)")->required();
  add->callback([&global, f] {
    if (f->token.empty() == f->token_file.empty()) {
      ReportError(absl::InvalidArgumentError("peer add needs --token or --token-file"));
      global.exit_code = kExitUsage;
      return;
    }
    global.exit_code = Add(global, *f);
  });

  auto* list = cmd->add_subcommand("list", "List peers and their collection mappings (never their tokens)");
  list->add_flag("--json", f->json, "Print a JSON array");
  list->callback([&global, f] { global.exit_code = List(global, f->json); });

  auto* remove = cmd->add_subcommand("remove", "Remove a peer and its mappings");
  remove->add_option("NAME", f->name, "Peer name")->required();
  remove->callback([&global, f] { global.exit_code = Remove(global, f->name); });
}

}  // namespace kizuna::cli
