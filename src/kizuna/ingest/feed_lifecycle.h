// Kizuna. A feed's lifecycle on the node: which version each listed value gets, and the
// revocation of values a feed no longer lists (`kizuna import --replace`).
#pragma once

// A feed indicator's id is deterministic (detect/feed.h: creator, family, pattern), so the
// node knows what it holds of a value before importing it. For each value of a list,
// NextVersions looks up the latest version the node holds of the id (any collection), for
// many values at once (Store::FindObjects):
//   - none: a first version, created = modified = valid_from = the list's time;
//   - the same pattern and settings: that version, as it is (an import of it adds nothing
//     to a collection that holds it, whatever the file's time);
//   - changed settings (TLP, types, confidence, labels, ...) or a validity to renew: a new
//     version, keeping created and valid_from, modified = the import's time;
//   - revoked: the value came back after `--replace` revoked it; a revoked object gets no
//     new versions (STIX 2.1 §3.6), so the value takes the next generation's id.
// RevokeUnlisted adds a revoked version (revoked: true, modified = the import's time) of
// every current, unrevoked indicator of the collection that the creator made for one of
// the ledger's feeds (external_references[0].source_name) and that the import did not list.
//
// Thread-safety: as the Importer (one thread).

#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "kizuna/detect/feed.h"
#include "kizuna/ingest/importer.h"
#include "kizuna/store/store.h"

namespace kizuna::ingest {

// What the lists of one import listed, for RevokeUnlisted.
struct FeedLedger {
  absl::flat_hash_set<std::string> listed_ids;  // ids of the versions the import gave
  std::set<std::string> sources;                // the feeds read (FeedSourceName)
  std::set<std::string> incomplete;             // feeds one of whose lists failed
};

// The version one value gets: its id, and its JSON (no newline) or ResourceExhausted when
// the value was revoked kMaxFeedGenerations times.
struct NextVersion {
  std::string id;
  absl::StatusOr<std::string> json;
};

// Calls `each` with the index in `entries` and the version of each entry (see above), in
// order. Errors: the store's.
absl::Status NextVersions(store::Store& store, std::span<const detect::FeedEntry> entries,
                          const detect::FeedOptions& options,
                          absl::FunctionRef<void(size_t, NextVersion&&)> each);

// Imports a revoked version of each indicator of the ledger's complete feeds, created by
// `creator`, that the collection holds (current and not revoked) and the ledger did not list,
// with `importer` (its collection). Returns how many revoked versions it imported. Errors:
// the store's and the importer's.
absl::StatusOr<int64_t> RevokeUnlisted(Importer& importer, const FeedLedger& ledger,
                                       std::string_view creator, int64_t now_us);

}  // namespace kizuna::ingest
