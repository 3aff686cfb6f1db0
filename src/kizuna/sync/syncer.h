// Kizuna. Federation: one pass of pull and push over every peer mapping.
#pragma once

// Syncer moves object versions between this node and its peers (store::PeerStore), one
// mapping at a time, through any TAXII 2.1 server:
//
//   pull  GET the peer's collection with `added_after` = the mapping's pull cursor and
//         `match[version]=all`, page after page (fetched and checked on a second thread
//         while the page before is stored); each page's valid objects are stored with
//         Store::AddPulledObjects, which records their provenance (peer, remote collection,
//         the peer's date_added) beside them and advances the cursor in the same transaction,
//         so a restart resumes exactly after the last page stored; a page is stored only
//         while the cursor is still the one it was asked after, so of two passes pulling one
//         mapping at once (the node's, `kizuna sync run --once`) the later stops there with
//         an error: a cursor never moves back. Versions already held add nothing (loops
//         A→B→A add nothing). Invalid objects and those the store refuses
//         (store.h, Writer: a partner relays but never redefines a marking, changes an
//         object's creator or versions an object written here) are counted in the report.
//   push  read the local collection after the mapping's push cursor (every version), keep
//         what policy::Decide releases to the peer's principal (PrincipalForPeer: its nation
//         and communities, as onward sharing) and that did not come from that peer, POST it
//         in envelopes, and advance the push cursor once the peer answered 202. Nothing is
//         sent twice: the cursor moves only past what the peer acknowledged. What is
//         released is read through policy::ReleasedReader over the Policy given (in a node,
//         the one the TAXII service reads through too).
//
// A mapping of an exercise collection with a peer that takes no part in the exercise moves
// nothing either way (policy/exercise.h); objects carrying the exercise marking pulled into
// another collection are refused by the store (docs/security.md, rule 6).
//
// A failed mapping records its error (PeerStore::SaveSyncError) and the others go on.
//
//   policy::Policy policy(db, &db, SystemClock());
//   Syncer syncer(db, policy, SystemClock());
//   KZ_ASSIGN_OR_RETURN(std::vector<MappingReport> reports, syncer.RunOnce());
//
// Thread-safety: one pass at a time per Syncer.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/base/clock.h"
#include "kizuna/ingest/tally.h"
#include "kizuna/policy/policy.h"
#include "kizuna/policy/released_reader.h"
#include "kizuna/store/database.h"
#include "kizuna/store/peers.h"
#include "kizuna/sync/taxii_client.h"

namespace kizuna::sync {

struct SyncOptions {
  // Objects per page pulled and per envelope pushed. Default 1000: the most a Kizuna API
  // root serves in a page by default (taxii/query.h), about 650 kB of JSON, well under the
  // 10 MiB it accepts in a request. Each page pulled is stored in one transaction.
  size_t page_size = 1000;
  // Most pages one mapping moves per pass in each direction, so one busy peer cannot hold a
  // pass forever. Default 1000 (1,000,000 versions).
  int max_pages_per_pass = 1000;
  ClientOptions client;
};

// Returns how to reach `peer`: its URL parsed (store/peer_url.h: InvalidArgument naming it when
// it breaks the rules, as one stored before them may), its credential, CA file, client
// certificate and key.
absl::StatusOr<Endpoint> EndpointOf(const store::Peer& peer);

// Most rejections a report lists with their reasons (all are counted).
inline constexpr size_t kMaxReportedRejections = 20;

struct MappingReport {
  std::string peer, local_collection, remote_collection;
  // What was pulled: objects read, versions newly stored here (`added`), already held, and
  // objects not stored (invalid, conflicting or refused; the store counts them on the
  // mapping and audits them as "object.invalid" and "object.refuse"), the first
  // kMaxReportedRejections with their reasons.
  ingest::Tally pulled;
  int64_t pushed = 0;  // versions the peer acknowledged
  std::string error;   // empty when the pass succeeded
};

class Syncer {
 public:
  // `db`, `policy` and `clock` must outlive the syncer.
  Syncer(store::Database& db, policy::Policy& policy, Clock& clock, SyncOptions options = {});

  // Runs one pull and push pass over every mapping of every peer, or, when
  // `local_collections` (ids) is not empty, over the mappings of those collections only.
  // Returns a report per mapping; an error of one mapping is in its report (and saved), not
  // returned. Returns an error only when the peers cannot be read.
  absl::StatusOr<std::vector<MappingReport>> RunOnce(
      const std::vector<std::string>& local_collections = {});

  // One pass over the mappings of `peer` only (of `local_collections` only, when not empty),
  // under the lead of epoch `lead_epoch` (store::PeerStore::LeadFederationEpoch; 0, as
  // RunOnce: a process that does not lead): its progress is not saved once that lead has
  // ended (FailedPrecondition, from saving the mapping's error too). Errors as RunOnce.
  absl::StatusOr<std::vector<MappingReport>> RunPeer(
      const store::Peer& peer, const std::vector<std::string>& local_collections = {},
      int64_t lead_epoch = 0);

 private:
  // PermissionDenied when the mapping's local collection is an exercise collection and the
  // peer takes no part in its exercise (policy/exercise.h).
  absl::Status CheckExercise(const store::Peer& peer, const store::PeerMapping& mapping);
  absl::Status Pull(const store::Peer& peer, const store::PeerMapping& mapping, TaxiiClient& client,
                    int64_t lead_epoch, MappingReport& report);
  absl::Status Push(const store::Peer& peer, const store::PeerMapping& mapping, TaxiiClient& client,
                    int64_t lead_epoch, MappingReport& report);

  store::Database& db_;
  Clock& clock_;
  const SyncOptions options_;
  policy::ReleasedReader reader_;
};

}  // namespace kizuna::sync
