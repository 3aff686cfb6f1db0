// Kizuna. The indicators of collections as the compiler extracted them, kept between
// compilations so that a recompilation parses only what changed.
#pragma once

// `kizuna match --reload` keeps an IndicatorSet: per stored indicator, what selects it (the
// selection that does not depend on the time, its validity times) and its parsed pattern
// (the keys of a simple one, packed; the compiled pattern of any other). Update() brings it
// up to the store's present state. When no entry was deleted since the last read (the
// store's EntriesDeleted, which every delete by any process sets anew, has not moved) it reads
// the JSON of the entries added since the last read only: each is a new indicator, or a new
// version (a revocation too) that replaces the kept one of its id. After a delete it also
// lists the collections' entries without their JSON (oldest date_added first: a kept entry
// missing from the list is gone), then reads the added ones the same way. Build() compiles the kept
// indicators at a given time, without the store: the snapshot and the report's counts are those
// CompileFromStore gives for the same store at that time (indicators in the same order, the
// latest `modified` winning across collections, allowlists applied at each Build;
// compile_from_store_test.cc checks it after additions, new versions, revocations,
// deletions, the passing of valid_until and valid_from, and with an allowlist).
//
//   KZ_ASSIGN_OR_RETURN(IndicatorSet::Loaded loaded,
//                       IndicatorSet::LoadAndBuild(store, collection_ids, options, &report));
//   ... loaded.snapshot is the first snapshot; loaded.set is kept:
//   ... later, when the store changed:
//   KZ_RETURN_IF_ERROR(set->Update(store).status());
//   KZ_ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> next, set->Build(options, &report));
//
// When the present state cannot be reached from what is kept, Update reads everything again
// as Load does (an entry older than the last read that was not kept: a delete that brought
// an earlier version back; an id twice in one collection: a write during the read).
//
// Memory: 80 bytes per indicator plus its keys (a 25-character domain name: 31 bytes); the
// bytes of replaced entries stay until everything is read again.
//
// Reads: the collections' entries through the store, as CompileFromStore does (the operator's
// local read of the store: no release policy applies; see cli/match.cc).
//
// Thread-safety: one thread at a time; the store must not be used by another thread
// meanwhile. Snapshots it built share nothing mutable with it.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/detect/compiler.h"
#include "kizuna/detect/snapshot.h"
#include "kizuna/store/store.h"

namespace kizuna::detect {

class IndicatorSet {
 public:
  // What an Update did.
  struct UpdateStats {
    bool listed = false;  // the entries were listed without their JSON (after a delete)
    bool full = false;    // everything was read again (see above)
    int64_t scanned = 0;  // entries listed without their JSON
    int64_t read = 0;     // entries read and extracted (their JSON parsed)
    int64_t removed = 0;  // kept entries that are gone (deleted, or replaced by a version)
  };

  // Reads the latest version of every indicator of `collection_ids` (ids, not aliases) and
  // extracts it with `options` (its limits, exercise and page_limit; the time is not used).
  // Errors: the store's.
  static absl::StatusOr<std::unique_ptr<IndicatorSet>> Load(store::Store& store,
                                                            std::vector<std::string> collection_ids,
                                                            const CompileOptions& options);

  // Load, and the snapshot Build(options, report) would give, compiled while the entries are
  // read (one pass, as CompileFromStore does for one collection; several collections, or an
  // id read twice, are built after the read).
  struct Loaded {
    std::unique_ptr<IndicatorSet> set;
    std::shared_ptr<const Snapshot> snapshot;
  };
  static absl::StatusOr<Loaded> LoadAndBuild(store::Store& store,
                                             std::vector<std::string> collection_ids,
                                             const CompileOptions& options, CompileReport* report);

  struct PrivateTag {
    explicit PrivateTag() = default;
  };
  IndicatorSet(PrivateTag, std::vector<std::string> collection_ids, const CompileOptions& options);
  ~IndicatorSet();
  IndicatorSet(const IndicatorSet&) = delete;
  IndicatorSet& operator=(const IndicatorSet&) = delete;

  // Brings the set up to the store's present state (see above). On error (the store's) the
  // set is as it was.
  absl::StatusOr<UpdateStats> Update(store::Store& store);

  // Compiles the kept indicators selected at options.now_us, with options' allowlist, seed
  // and threads; `report`, if not null, gets the compilation's report.
  absl::StatusOr<std::shared_ptr<const Snapshot>> Build(const CompileOptions& options,
                                                        CompileReport* report) const;

  // Entries kept (every indicator entry of the collections, selectable or not).
  size_t size() const;
  // Bytes the kept entries take (entries, packed keys and texts; not the shared patterns).
  size_t bytes() const;
  // The store's LastDateAdded read before the last read of the entries.
  int64_t mark() const { return mark_; }
  // The store's EntriesDeleted read before the last read of the entries.
  int64_t deleted() const { return deleted_; }

 private:
  struct Entry;
  struct Collection;
  // Reads every entry of every collection into `out`; sets mark_ and unique_.
  // With `compiler`, each entry is also added to it (AddExtracted) as it is read.
  absl::Status ReadAll(store::Store& store, std::vector<Collection>& out,
                       IndicatorCompiler* compiler = nullptr);
  // Reads and extracts the entries of collection `c` added since mark_ into `fresh`.
  absl::Status ReadAdded(store::Store& store, size_t c, Collection& fresh, UpdateStats& stats);
  // Update when nothing was deleted since the last read: the added entries alone. False
  // (the set as it was) when they cannot be placed without the listing (an id that is not
  // an indicator's, or the set holds an id twice).
  absl::StatusOr<bool> UpdateAdded(store::Store& store, int64_t mark, UpdateStats& stats);
  // Update by listing every entry (after a delete).
  absl::StatusOr<UpdateStats> UpdateListed(store::Store& store, int64_t mark);
  // Extracts one stored object into an entry.
  void Keep(const store::StoredObject& o, Collection& into, IndicatorCompiler* compiler = nullptr);

  std::vector<std::string> collection_ids_;
  CompileOptions options_;                        // for extraction: limits, exercise, page_limit
  std::unique_ptr<IndicatorCompiler> extractor_;  // its reused JSON parser
  std::vector<Collection> collections_;
  int64_t mark_ = 0;
  int64_t deleted_ = 0;
  // No id is twice in one collection (a write during ReadAll can show one twice).
  bool unique_ = true;
};

}  // namespace kizuna::detect
