// Kizuna. `kizuna bus`: the node's side of the telemetry bus. Publishes the indicator set
// workers match against, and stores the sightings they send back, exactly once.
#pragma once

// Who and what are decided here, on the node, never by a worker:
//   - the set is the latest version of every indicator of `collections` that the policy
//     releases to `principal` (policy::ReleasedReader, the read every path uses), as JSON
//     lines in chunks (messages.h); it is read again (with the collections' communities and
//     default release as they are then) when an indicator enters one of `collections`, a
//     marking definition enters any collection or the directory changes (a grant, a
//     collection's policy: Directory::ChangeVersion), and at least every 5 minutes; it is
//     published when its content differs (the version is a digest of it);
//   - a report's entries name indicators and counts only: the node keeps those of
//     indicators of the set it published last, and for `set_grace_s` after a set replaced
//     another those of the one before that were revoked since (batches matched against it
//     were in flight); it refuses the others (counted: an indicator withheld or deleted is
//     no longer reportable from the first read that misses it, one revoked once its last set
//     is more than one set old), and writes the STIX sightings
//     itself, sighted by `identity` (the principal's organisation), into
//     `sightings_collection`, as `writer` (the store's rules for that user apply).
//
// Exactly once: the stream keeps one report per telemetry batch (message ids). The node
// sums the reports into one entry per (indicator, window) and writes that entry's sighting
// with a deterministic id (detect::SightingJson) and version: `modified` is last_seen plus
// (count - 1) microseconds, so each count is its own version, and writing the same count
// again is "already present". When it starts, the node reads every report the stream holds
// (reports are kept `max_age_s`) before writing, so a node killed at any moment and started
// again writes the same sightings, none twice, none lost.
//
// Thread-safety: Run() on one thread; `stop` may be set from another (or a signal handler).

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "kizuna/bus/jetstream.h"
#include "kizuna/detect/sightings.h"
#include "kizuna/identity/principal.h"
#include "kizuna/ingest/importer.h"
#include "kizuna/policy/policy.h"
#include "kizuna/store/database.h"

namespace kizuna::bus {

struct NodeLinkOptions {
  std::vector<store::Collection> collections;  // whose indicators workers match
  identity::Principal principal;               // the set is what the policy releases to it
  std::string identity;                        // sightings are sighted by this organisation
  std::string sightings_collection;            // id
  store::Writer writer;                        // who writes the sightings
  int64_t window_s = 3600;                     // sighting window workers count in
  int64_t check_ms = 1000;                     // how often the store is checked for changes
  // How long after a new set is published reports may still name indicators of the set
  // before it that were revoked since. Longer keeps the counts of batches matched late
  // against the old set (a worker switches within a second). 0: none.
  int64_t set_grace_s = 60;
  int64_t duplicate_window_s = 3600;           // the sightings stream remembers report ids
  int64_t max_age_s = 14 * 86400;              // the sightings stream keeps reports
  int64_t exit_when_idle_ms = 0;               // > 0: return after this long without a report
  const std::atomic<bool>* stop = nullptr;
  // Called on every directory change; an error (the user disabled or changed, a grant
  // withdrawn) ends Run with it.
  std::function<absl::Status()> check_grants;
};

struct NodeLinkSummary {
  int64_t sets = 0;       // indicator sets published
  int64_t set_reads = 0;  // reads of the whole released set (a set is published when it changed)
  uint64_t set_version = 0;
  int64_t indicators = 0;       // in the last set
  int64_t replayed = 0;         // reports read at start (counted before this run)
  int64_t reports = 0;          // reports received during this run
  int64_t records = 0;          // records those reports matched
  int64_t refused_entries = 0;  // entries naming an indicator the node did not publish, or a window it refuses
  int64_t added = 0;            // sighting versions added
  int64_t already_present = 0;
  int64_t rejected = 0;
  int64_t latency_samples = 0;  // reports with sightings: shipped -> stored
  double latency_p50_s = 0;
  double latency_p99_s = 0;
  double latency_max_s = 0;
  std::vector<std::string> problems;  // first few reports refused, and why
};

class NodeLink {
 public:
  NodeLink(Bus& bus, store::Database& db, policy::Policy& policy, NodeLinkOptions options);

  // Runs until `stop` (or idle). Errors: the bus's, the store's.
  absl::Status Run();

  std::function<void(const NodeLinkSummary&)> on_progress;
  std::function<void(const std::string& line)> on_event;

  // The summary, with latency figures computed.
  NodeLinkSummary summary() const;

 private:
  // Reads the released indicators; publishes them when they differ from the last set.
  absl::Status PublishSet();
  // options_.collections as they are now, in order. NotFound when one no longer exists.
  absl::StatusOr<std::vector<store::Collection>> Collections();
  // What of `collections` the set depends on beside their content (policy::CollectionKey).
  static std::string PolicyKey(const std::vector<store::Collection>& collections);
  // Adds a report's entries to the sums; marks the changed entries dirty.
  void Apply(std::string_view data, uint64_t sequence);
  // Writes the sightings of the dirty entries.
  absl::Status WriteDirty();

  struct Key {
    detect::Uuid indicator;
    int64_t window;
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), k.indicator, k.window);
    }
    friend bool operator==(const Key&, const Key&) = default;
  };

  Bus& bus_;
  store::Database& db_;
  policy::Policy& policy_;
  NodeLinkOptions options_;
  std::unique_ptr<ingest::Importer> importer_;
  std::string set_digest_;
  std::string policy_key_;  // PolicyKey when the set was last read
  // Whether a report may name `indicator` now: it is in the current set, or in the one
  // before it within the grace period.
  bool Reportable(const detect::Uuid& indicator, int64_t now_us);

  absl::flat_hash_set<detect::Uuid> current_;   // the indicators of the set published last
  // Of the set before it, revoked since; until previous_until_us_.
  absl::flat_hash_set<detect::Uuid> previous_;
  int64_t previous_until_us_ = 0;
  absl::flat_hash_map<Key, detect::SightingAggregator::Entry> sums_;
  std::vector<Key> dirty_;
  std::vector<int64_t> pending_shipped_us_;  // reports with entries since the last write
  std::vector<double> latencies_s_;
  NodeLinkSummary summary_;
};

}  // namespace kizuna::bus
