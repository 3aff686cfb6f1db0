// Kizuna. The PeerStore's public methods: argument checks, then the implementation's hooks.
#include "kizuna/store/peers.h"

#include <set>
#include <utility>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/identity/release.h"
#include "kizuna/identity/nation.h"
#include "kizuna/store/peer_url.h"

namespace kizuna::store {
namespace {

// The longest peer URL stored.
constexpr size_t kMaxUrlBytes = 2048;

bool IsUrlSegment(std::string_view s) {
  if (s.empty() || s.size() > 64 || s == "." || s == "..") return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool IsFilePath(std::string_view path) {
  return path.size() <= kMaxPeerFilePathBytes && path.find_first_of("\r\n") == std::string_view::npos &&
         path.find('\0') == std::string_view::npos;
}

// What the peer is sent: a secret fit for its header, a Basic user, and a certificate with
// its key (both or neither, over TLS only). The files themselves are read when connecting.
absl::Status CheckCredential(const Peer& p) {
  const std::string where = StrCat("peer '", p.name, "': ");
  if (p.auth != PeerAuth::kNone &&
      (p.token.empty() || p.token.size() > kMaxPeerSecretBytes || p.token.find_first_of("\r\n") != std::string::npos ||
       (p.auth == PeerAuth::kBearer && p.token.find_first_of(" \t") != std::string::npos))) {
    return absl::InvalidArgumentError(StrCat(where, p.auth == PeerAuth::kBasic ? "password" : "token",
                                             ": expected one line of at most ", kMaxPeerSecretBytes, " octets",
                                             p.auth == PeerAuth::kBearer ? " without spaces" : ""));
  }
  if (p.auth == PeerAuth::kNone && !p.token.empty()) {
    return absl::InvalidArgumentError(StrCat(where, "a secret was given but the authentication is 'none'"));
  }
  if ((p.auth == PeerAuth::kBasic) != !p.basic_user.empty()) {
    return absl::InvalidArgumentError(StrCat(where, p.basic_user.empty() ? "Basic authentication needs a user name"
                                                                         : "a user name is only sent with Basic"));
  }
  if (p.basic_user.size() > kMaxPeerUserBytes || p.basic_user.find_first_of(":\r\n") != std::string::npos) {
    return absl::InvalidArgumentError(
        StrCat(where, "Basic user: expected at most ", kMaxPeerUserBytes, " octets without ':' or line breaks"));
  }
  if (p.client_cert.empty() != p.client_key.empty()) {
    return absl::InvalidArgumentError(StrCat(where, "a client certificate needs its key, and a key its certificate"));
  }
  if (!IsFilePath(p.ca_file) || !IsFilePath(p.client_cert) || !IsFilePath(p.client_key)) {
    return absl::InvalidArgumentError(StrCat(where, "a file path is longer than ", kMaxPeerFilePathBytes,
                                             " octets or holds a line break"));
  }
  if (p.auth == PeerAuth::kNone && p.client_cert.empty()) {
    return absl::InvalidArgumentError(StrCat(where, "authentication 'none' needs a client certificate and key"));
  }
  absl::StatusOr<PeerUrl> url = ParsePeerUrl(p.url);
  if (!p.client_cert.empty() && url.ok() && !url->tls) {
    return absl::InvalidArgumentError(StrCat(where, "a client certificate is presented over https:// only, not to ", p.url));
  }
  return absl::OkStatus();
}

// Everything but the mappings.
absl::Status CheckPeerSettings(const Peer& p) {
  if (!identity::IsCommunityName(p.name)) {
    return absl::InvalidArgumentError(StrCat("peer name '", p.name, "': expected 1-64 of [a-z0-9._-]"));
  }
  if (p.url.size() > kMaxUrlBytes || p.url.find_first_of(" \t\r\n?#") != std::string::npos) {
    return absl::InvalidArgumentError(StrCat("peer '", p.name, "': url: expected https://host[:port]"));
  }
  if (absl::Status url = ParsePeerUrl(p.url).status(); !url.ok()) {
    return Annotate(url, StrCat("peer '", p.name, "': "));
  }
  if (!IsUrlSegment(p.api_root)) {
    return absl::InvalidArgumentError(StrCat("peer '", p.name, "': api root '", p.api_root, "' is not a URL segment"));
  }
  KZ_RETURN_IF_ERROR(CheckCredential(p));
  if (!identity::IsNationCode(p.nation)) {
    return absl::InvalidArgumentError(StrCat("peer '", p.name, "': '", p.nation, "' is not an ISO 3166-1 alpha-3 code"));
  }
  for (const std::string& c : p.communities) {
    if (!identity::IsCommunityName(c)) {
      return absl::InvalidArgumentError(StrCat("peer '", p.name, "': '", c, "' is not a community name"));
    }
  }
  if (!p.organization.empty() && !p.organization.starts_with("identity--")) {
    return absl::InvalidArgumentError(StrCat("peer '", p.name, "': organisation: expected an identity id"));
  }
  return absl::OkStatus();
}

absl::Status CheckPeer(const Peer& p) {
  KZ_RETURN_IF_ERROR(CheckPeerSettings(p));
  if (p.mappings.empty()) return absl::InvalidArgumentError(StrCat("peer '", p.name, "': needs a collection mapping"));
  std::set<std::pair<std::string, std::string>> seen;
  for (const PeerMapping& m : p.mappings) {
    if (m.local_collection.empty() || m.remote_collection.empty() || m.remote_collection.size() > 256 ||
        m.remote_collection.find_first_of("/?# ") != std::string::npos) {
      return absl::InvalidArgumentError(StrCat("peer '", p.name, "': a mapping needs a local and a remote collection"));
    }
    if (!seen.emplace(m.local_collection, m.remote_collection).second) {
      return absl::InvalidArgumentError(StrCat("peer '", p.name, "': collection ", m.local_collection, " is mapped to ",
                                               m.remote_collection, " twice"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view SyncDirectionName(SyncDirection d) {
  switch (d) {
    case SyncDirection::kPull: return "pull";
    case SyncDirection::kPush: return "push";
    case SyncDirection::kBoth: return "both";
  }
  return "?";
}

std::optional<SyncDirection> ParseSyncDirection(std::string_view name) {
  if (name == "pull") return SyncDirection::kPull;
  if (name == "push") return SyncDirection::kPush;
  if (name == "both") return SyncDirection::kBoth;
  return std::nullopt;
}

std::string_view PeerAuthName(PeerAuth a) {
  switch (a) {
    case PeerAuth::kBearer: return "bearer";
    case PeerAuth::kBasic: return "basic";
    case PeerAuth::kNone: return "none";
  }
  return "?";
}

std::optional<PeerAuth> ParsePeerAuth(std::string_view name) {
  if (name == "bearer") return PeerAuth::kBearer;
  if (name == "basic") return PeerAuth::kBasic;
  if (name == "none") return PeerAuth::kNone;
  return std::nullopt;
}

absl::Status PeerStore::AddPeer(std::string_view actor, const Peer& peer) {
  KZ_RETURN_IF_ERROR(CheckPeer(peer));
  return DoAddPeer(actor, peer);
}

absl::Status PeerStore::UpdatePeer(std::string_view actor, const Peer& peer) {
  KZ_RETURN_IF_ERROR(CheckPeerSettings(peer));
  return DoUpdatePeer(actor, peer);
}

absl::StatusOr<std::vector<Peer>> PeerStore::ListPeers() { return DoListPeers({}); }

absl::StatusOr<Peer> PeerStore::GetPeer(std::string_view name) {
  if (name.empty()) return absl::NotFoundError("no peer name");
  KZ_ASSIGN_OR_RETURN(std::vector<Peer> peers, DoListPeers(name));
  if (peers.empty()) return absl::NotFoundError(StrCat("peer '", name, "' does not exist"));
  return std::move(peers.front());
}

absl::Status PeerStore::RemovePeer(std::string_view actor, std::string_view name) {
  if (name.empty()) return absl::NotFoundError("no peer name");
  return DoRemovePeer(actor, name);
}

absl::Status PeerStore::SavePushProgress(std::string_view peer, const PeerMapping& mapping,
                                         int64_t cursor_us, std::span<const int64_t> acknowledged,
                                         int64_t now_us, int64_t lead_epoch) {
  if (cursor_us < 0) return absl::InvalidArgumentError("a push cursor is a date_added");
  return DoSaveProgress(peer, mapping, SyncDirection::kPush, cursor_us, acknowledged, now_us,
                        lead_epoch);
}

absl::Status PeerStore::SavePullPass(std::string_view peer, const PeerMapping& mapping,
                                     int64_t now_us, int64_t lead_epoch) {
  return DoSaveProgress(peer, mapping, SyncDirection::kPull, -1, {}, now_us, lead_epoch);
}

absl::Status PeerStore::SaveSyncError(std::string_view peer, const PeerMapping& mapping,
                                      std::string_view error, int64_t now_us, int64_t lead_epoch) {
  return DoSaveSyncError(peer, mapping, error.substr(0, kMaxSyncErrorBytes), now_us, lead_epoch);
}

}  // namespace kizuna::store
