// Kizuna. Partner nodes this node synchronises with, and how far each mapping has got.
#pragma once

// PeerStore is the persistent half of federation (docs/federation.md): each peer is another
// TAXII 2.1 server (a Kizuna node or any other) reached at a URL with a credential (a Bearer
// token, a Basic user and password, a client certificate, or a certificate and either), with the
// nation, communities and organisation the policy decides for when this node pushes to it,
// and mappings of local collections to the peer's collections with a direction. Each mapping
// carries its cursors: the pull cursor is saved with the pulled objects (Store::
// AddPulledObjects), the push cursor after the peer acknowledged. Adding and removing peers
// is audited ("peer.add", "peer.update", "peer.remove") in the same transaction; the audit
// details never hold a secret. SqliteStore and PgStore implement it.
//
//   KZ_RETURN_IF_ERROR(peers.AddPeer("cli", peer));
//   KZ_ASSIGN_OR_RETURN(std::vector<Peer> all, peers.ListPeers());
//
// Errors: InvalidArgument for a malformed field (naming it), AlreadyExists for a duplicate
// name, NotFound for an unknown peer or local collection.
// Thread-safety: all methods are safe to call concurrently.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace kizuna::store {

enum class SyncDirection : uint8_t { kPull, kPush, kBoth };

// What this node sends in the Authorization header of its requests to a peer.
enum class PeerAuth : uint8_t {
  kBearer,  // `Bearer <token>` (a Kizuna node, most TAXII servers)
  kBasic,   // `Basic base64(user:password)` (the OASIS reference server, medallion)
  kNone,    // nothing: the client certificate alone authenticates (REQUIRES one)
};

// "bearer", "basic", "none"; and back (nullopt for anything else).
std::string_view PeerAuthName(PeerAuth a);
std::optional<PeerAuth> ParsePeerAuth(std::string_view name);

// The longest secret (token or password) and Basic user name a peer may have, in octets.
inline constexpr size_t kMaxPeerSecretBytes = 4096;
inline constexpr size_t kMaxPeerUserBytes = 256;
// The longest path of a CA, certificate or key file.
inline constexpr size_t kMaxPeerFilePathBytes = 1024;

// "pull", "push", "both"; and back (nullopt for anything else).
std::string_view SyncDirectionName(SyncDirection d);
std::optional<SyncDirection> ParseSyncDirection(std::string_view name);

struct PeerMapping {
  std::string local_collection;   // the local collection's id
  std::string remote_collection;  // the peer's collection id
  SyncDirection direction = SyncDirection::kBoth;
  // Progress, written by the sync engine (ignored by AddPeer).
  std::string pull_cursor;        // the peer's date_added pulled through ("" = nothing yet)
  int64_t push_cursor_us = 0;     // the local date_added pushed through
  int64_t pulled = 0;             // new versions stored from the peer
  int64_t pushed = 0;             // entries the peer acknowledged, each counted once
  int64_t rejected = 0;           // pulled objects not stored: invalid, in conflict or refused
  std::string last_rejection;     // "id: reason" of the last of them
  std::optional<int64_t> last_pull_us, last_push_us;  // last successful passes
  std::string last_error;         // of the last failed pass; cleared by a success
  std::optional<int64_t> last_error_us;

  bool Pulls() const { return direction != SyncDirection::kPush; }
  bool Pushes() const { return direction != SyncDirection::kPull; }
};

struct Peer {
  std::string name;          // [a-z0-9._-]{1,64}, unique on the node
  std::string url;           // base URL of the peer's TAXII server: https://host[:port], or
                             // http:// to a loopback host only (peer_url.h)
  std::string api_root;      // the peer's API root (a URL path segment)
  PeerAuth auth = PeerAuth::kBearer;
  std::string token;         // the secret: the Bearer token, or the Basic password; empty for
                             // kNone. Never listed by the CLI, never in an audit event, and
                             // stored sealed with the node's key, never in clear
  std::string basic_user;    // kBasic only: the user name (no ':'), listed
  std::string ca_file;       // PEM CAs to trust for this peer; empty: the system's
  std::string client_cert;   // PEM certificate chain presented in the TLS handshake (mutual
                             // TLS), https:// only; empty: none. Paths, read at each connection
  std::string client_key;    // its PEM private key: a file of mode 0600 (taxii_client.h)
  std::string nation;        // ISO 3166-1 alpha-3
  std::vector<std::string> communities;  // community names the peer belongs to
  std::string organization;  // the peer's organisation identity id; may be empty
  int64_t created_us = 0;
  std::vector<PeerMapping> mappings;
};

class PeerStore {
 public:
  virtual ~PeerStore() = default;
  PeerStore(const PeerStore&) = delete;
  PeerStore& operator=(const PeerStore&) = delete;

  // Adds a peer with its mappings (at least one; local collections must exist; each local
  // and remote collection pair at most once). `actor` names who did it in the audit log.
  absl::Status AddPeer(std::string_view actor, const Peer& peer);
  // Peers by name, with their mappings and progress.
  absl::StatusOr<std::vector<Peer>> ListPeers();
  absl::StatusOr<Peer> GetPeer(std::string_view name);
  // Replaces a peer's settings (URL, API root, credential, CA, certificate and key, nation,
  // communities, organisation) with those of `peer`, found by its name; its mappings and
  // their progress stay. NotFound for an unknown peer.
  absl::Status UpdatePeer(std::string_view actor, const Peer& peer);
  // Removes a peer and its mappings (not the provenance of what it sent).
  absl::Status RemovePeer(std::string_view actor, std::string_view name);

  // Saves a push pass's progress: the cursor, the time, and the entries the peer
  // acknowledged (their date_added here): `pushed` grows by those after the cursor saved
  // before, so an entry sent by two passes at once (the node's and `kizuna sync run`'s) counts
  // once; the cursor never moves back. Clears the mapping's error.
  // `lead_epoch` here and in SavePullPass and SaveSyncError: the epoch of the lead the pass
  // runs under (LeadFederationEpoch), 0 for a pass of a process that does not lead
  // (`kizuna sync run --once`). PgStore refuses the write (FailedPrecondition) when the pass's
  // lead has ended since it began, even if this process has taken the lead again meanwhile.
  absl::Status SavePushProgress(std::string_view peer, const PeerMapping& mapping,
                                int64_t cursor_us, std::span<const int64_t> acknowledged,
                                int64_t now_us, int64_t lead_epoch = 0);
  // Records a successful pull pass (its objects and cursor were saved with them); clears the
  // mapping's error.
  absl::Status SavePullPass(std::string_view peer, const PeerMapping& mapping, int64_t now_us,
                            int64_t lead_epoch = 0);
  // Records why the last pass of a mapping failed (at most kMaxSyncErrorBytes are kept).
  absl::Status SaveSyncError(std::string_view peer, const PeerMapping& mapping,
                             std::string_view error, int64_t now_us, int64_t lead_epoch = 0);

  static constexpr size_t kMaxSyncErrorBytes = 1024;

  // Whether this process is the one to run federation now (the node's sync passes and
  // scheduled feeds, sync/runner.h): of the processes serving one database, one leads at a
  // time, and another takes over when it dies. Returns true while this object leads, false
  // while another process does; call it before each pass: a process that does not lead tries
  // again at its next call. SqliteStore always leads (an SQLite database is served by the one
  // node whose data directory holds it). PgStore: a session-level advisory lock
  // (PgStore::kFederationLockKey) held on a connection of its own for the store's life, which
  // the server releases when the process dies or its connection drops. Unavailable when the
  // database cannot be reached (then this process does not lead).
  absl::StatusOr<bool> LeadFederation() {
    absl::StatusOr<std::optional<int64_t>> epoch = DoLeadFederation();
    if (!epoch.ok()) return epoch.status();
    return epoch->has_value();
  }
  // As LeadFederation, for a pass: nullopt while another process leads, else the epoch of
  // this process's lead, which the pass gives its writes (PullBatch::lead_epoch, the
  // `lead_epoch` of SavePushProgress, SavePullPass and SaveSyncError, FeedRunRecord::
  // lead_epoch). PgStore: node_state.federation_epoch as this process set it when it took the
  // lead (a new one each time it takes it); SqliteStore: 0, never fenced.
  absl::StatusOr<std::optional<int64_t>> LeadFederationEpoch() { return DoLeadFederation(); }

 protected:
  PeerStore() = default;

 private:
  virtual absl::Status DoAddPeer(std::string_view actor, const Peer& peer) = 0;
  virtual absl::StatusOr<std::vector<Peer>> DoListPeers(std::string_view name) = 0;  // all when empty
  virtual absl::Status DoRemovePeer(std::string_view actor, std::string_view name) = 0;
  virtual absl::Status DoUpdatePeer(std::string_view actor, const Peer& peer) = 0;
  // `cursor_us` < 0: leave the push cursor; `which` says which last-pass time to set;
  // `acknowledged` as SavePushProgress (empty for a pull).
  virtual absl::Status DoSaveProgress(std::string_view peer, const PeerMapping& mapping,
                                      SyncDirection which, int64_t cursor_us,
                                      std::span<const int64_t> acknowledged, int64_t now_us,
                                      int64_t lead_epoch) = 0;
  virtual absl::Status DoSaveSyncError(std::string_view peer, const PeerMapping& mapping,
                                       std::string_view error, int64_t now_us,
                                       int64_t lead_epoch) = 0;
  virtual absl::StatusOr<std::optional<int64_t>> DoLeadFederation() = 0;
};

}  // namespace kizuna::store
