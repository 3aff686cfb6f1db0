// Kizuna. `kizuna peer add|update|list|remove`: the partner nodes this node synchronises with.
#include <CLI/CLI.hpp>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>

#include "kizuna/base/clock.h"
#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/store/open.h"

namespace kizuna::cli {
namespace {

constexpr std::string_view kActor = "cli";
constexpr uint64_t kMaxTokenFileBytes = 4096;

struct PeerFlags {
  std::string name, url, api_root = "intel", token, token_file, basic_file, ca_file, nation, organization;
  std::string client_cert, client_key;
  std::vector<std::string> communities, maps;
  bool json = false, no_auth = false, no_client_cert = false;
};

// Sets the peer's credential from whichever of --token, --token-file, --basic-file and
// --no-auth was given (none: it stays as it is).
absl::Status ApplyAuthFlags(const PeerFlags& f, store::Peer& peer) {
  if (!f.token.empty() || !f.token_file.empty()) {
    peer.auth = store::PeerAuth::kBearer;
    peer.basic_user.clear();
    peer.token = f.token;
    if (!f.token_file.empty()) {
      auto text = ReadFile(f.token_file, kMaxTokenFileBytes);
      if (!text.ok()) return Annotate(text.status(), "--token-file: ");
      peer.token = WithoutLineEnd(std::string(text->data(), text->size()));
    }
  } else if (!f.basic_file.empty()) {
    // USER:PASSWORD on one line, in a file only its owner may read.
    auto text = ReadPrivateFile(f.basic_file, kMaxTokenFileBytes);
    if (!text.ok()) return Annotate(text.status(), "--basic-file: ");
    std::string line = WithoutLineEnd(std::move(*text));
    size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0 || line.find('\n') != std::string::npos) {
      return absl::InvalidArgumentError(
          StrCat("--basic-file ", f.basic_file, ": expected one line USER:PASSWORD (the user without ':')"));
    }
    peer.auth = store::PeerAuth::kBasic;
    peer.basic_user = line.substr(0, colon);
    peer.token = line.substr(colon + 1);
  } else if (f.no_auth) {
    peer.auth = store::PeerAuth::kNone;
    peer.basic_user.clear();
    peer.token.clear();
  }
  return absl::OkStatus();
}

// Sets the client certificate and key from --client-cert/--client-key (made absolute, so that
// `kizuna serve` finds them from any folder; the key must be its owner's alone) or clears them
// for --no-client-cert.
absl::Status ApplyCertificateFlags(const PeerFlags& f, store::Peer& peer) {
  if (f.no_client_cert) {
    peer.client_cert.clear();
    peer.client_key.clear();
    return absl::OkStatus();
  }
  if (f.client_cert.empty() != f.client_key.empty()) {
    return absl::InvalidArgumentError("--client-cert and --client-key go together");
  }
  if (f.client_cert.empty()) return absl::OkStatus();
  KZ_RETURN_IF_ERROR(Annotate(ReadFile(f.client_cert, kMaxTokenFileBytes * 16).status(), "--client-cert: "));
  KZ_RETURN_IF_ERROR(Annotate(CheckPrivateFile(f.client_key), "--client-key: "));
  std::error_code ec;
  peer.client_cert = std::filesystem::absolute(f.client_cert, ec).string();
  peer.client_key = std::filesystem::absolute(f.client_key, ec).string();
  if (ec) return absl::InvalidArgumentError(StrCat("--client-cert/--client-key: ", ec.message()));
  return absl::OkStatus();
}

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

// "basic (user1) + client certificate": what the peer is sent, without secrets.
std::string AuthText(const store::Peer& p) {
  std::string out(store::PeerAuthName(p.auth));
  if (p.auth == store::PeerAuth::kBasic) StrAppend(out, " (", p.basic_user, ")");
  if (!p.client_cert.empty()) out += " + client certificate";
  return out;
}

int Add(GlobalOptions& global, const PeerFlags& f) {
  auto db = OpenNodeDatabase(global.data_dir);
  if (!db.ok()) return ReportError(db.status());
  store::Peer peer;
  peer.name = f.name;
  peer.url = f.url;
  while (peer.url.ends_with('/')) peer.url.pop_back();
  peer.api_root = f.api_root;
  if (absl::Status s = ApplyAuthFlags(f, peer); !s.ok()) return ReportError(s);
  if (absl::Status s = ApplyCertificateFlags(f, peer); !s.ok()) return ReportError(s);
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
               peer.mappings.size(), " collection mapping(s), authentication ", AuthText(peer), "\n"));
  return kExitOk;
}

int Update(GlobalOptions& global, const PeerFlags& f) {
  auto db = OpenNodeDatabase(global.data_dir);
  if (!db.ok()) return ReportError(db.status());
  auto peer = (*db)->GetPeer(f.name);
  if (!peer.ok()) return ReportError(peer.status());
  if (!f.url.empty()) {
    peer->url = f.url;
    while (peer->url.ends_with('/')) peer->url.pop_back();
  }
  if (!f.api_root.empty()) peer->api_root = f.api_root;
  if (absl::Status s = ApplyAuthFlags(f, *peer); !s.ok()) return ReportError(s);
  if (absl::Status s = ApplyCertificateFlags(f, *peer); !s.ok()) return ReportError(s);
  if (!f.ca_file.empty()) peer->ca_file = f.ca_file;
  if (!f.nation.empty()) peer->nation = f.nation;
  if (!f.communities.empty()) peer->communities = f.communities;
  if (!f.organization.empty()) peer->organization = f.organization;
  absl::Status updated = (*db)->UpdatePeer(kActor, *peer);
  if (!updated.ok()) return ReportError(updated);
  Print(StrCat("updated peer '", peer->name, "' at ", peer->url, "/", peer->api_root, "/, authentication ",
               AuthText(*peer), "\n"));
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
          {"auth", store::PeerAuthName(p.auth)},
          {"basic_user", p.basic_user},
          {"client_cert", p.client_cert},
          {"client_key", p.client_key},
          {"mappings", std::move(mappings)}};  // never the token or password
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
    Print(StrCat(p.name, "  ", p.nation, "  ", p.url, "/", p.api_root, "/  ", AuthText(p), "\n"));
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

// The flags of what this node presents to the peer, shared by add and update.
void AddCredentialFlags(CLI::App& cmd, PeerFlags& f) {
  cmd.add_option("--token", f.token, "Token this node presents (Bearer); --token-file keeps it off the process list");
  cmd.add_option("--token-file", f.token_file, "File holding the Bearer token ('-': standard input)");
  cmd.add_option("--basic-file", f.basic_file,
                 "File holding USER:PASSWORD for HTTP Basic (a server such as medallion); it must be mode 0600");
  cmd.add_option("--ca-file", f.ca_file, "PEM CAs to trust for this peer (default: the system's)");
  cmd.add_option("--client-cert", f.client_cert, "PEM certificate (chain) presented to the peer: mutual TLS");
  cmd.add_option("--client-key", f.client_key, "PEM private key of --client-cert; it must be mode 0600");
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
  AddCredentialFlags(*add, *f);
  add->add_option("--nation", f->nation, "The peer's nation, ISO 3166-1 alpha-3")->required();
  add->add_option("--community", f->communities, "Communities the peer belongs to (repeatable or comma-separated)")
      ->delimiter(',');
  add->add_option("--organization", f->organization, "The peer's organisation identity id (for recipients markings)");
  add->add_option("--map", f->maps, "LOCAL:REMOTE[:pull|push|both] (repeatable; default both)")->required();
  add->callback([&global, f] {
    const int secrets = !f->token.empty() + !f->token_file.empty() + !f->basic_file.empty();
    if (secrets != 1 && (secrets != 0 || f->client_cert.empty())) {
      ReportError(absl::InvalidArgumentError(
          "peer add needs one of --token-file, --token or --basic-file, or a --client-cert and --client-key alone"));
      global.exit_code = kExitUsage;
      return;
    }
    if (secrets == 0) f->no_auth = true;
    global.exit_code = Add(global, *f);
  });

  auto* update = cmd->add_subcommand(
      "update", "Change a peer's URL, credential, certificates, nation or communities; what is not given stays");
  update->add_option("NAME", f->name, "Peer name")->required();
  update->add_option("--url", f->url, "Base URL of the peer's TAXII server, https://host:port");
  update->add_option("--api-root", f->api_root, "The peer's API root");
  AddCredentialFlags(*update, *f);
  update->add_flag("--no-auth", f->no_auth, "Send no Authorization header (the client certificate authenticates)");
  update->add_flag("--no-client-cert", f->no_client_cert, "Present no client certificate any more");
  update->add_option("--nation", f->nation, "The peer's nation, ISO 3166-1 alpha-3");
  update->add_option("--community", f->communities, "Communities the peer belongs to (replaces them)")->delimiter(',');
  update->add_option("--organization", f->organization, "The peer's organisation identity id");
  update->callback([&global, f, update] {
    const int secrets = !f->token.empty() + !f->token_file.empty() + !f->basic_file.empty() + f->no_auth;
    if (secrets > 1 || (f->no_client_cert && !f->client_cert.empty())) {
      ReportError(absl::InvalidArgumentError(
          "peer update takes at most one of --token, --token-file, --basic-file and --no-auth, and not"
          " --client-cert with --no-client-cert"));
      global.exit_code = kExitUsage;
      return;
    }
    if (update->count("--api-root") == 0) f->api_root.clear();  // only what is given changes
    global.exit_code = Update(global, *f);
  });

  auto* list = cmd->add_subcommand("list", "List peers and their collection mappings (never their tokens)");
  list->add_flag("--json", f->json, "Print a JSON array");
  list->callback([&global, f] { global.exit_code = List(global, f->json); });

  auto* remove = cmd->add_subcommand("remove", "Remove a peer and its mappings");
  remove->add_option("NAME", f->name, "Peer name")->required();
  remove->callback([&global, f] { global.exit_code = Remove(global, f->name); });
}

}  // namespace kizuna::cli
