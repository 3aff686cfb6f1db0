// Kizuna. Recompiling the indicators when the store changes, while matching goes on.
#pragma once

// A SnapshotReloader keeps a LiveSnapshot up to date for a long matching run (a sensor's
// live stream on standard input). Check() is cheap when nothing changed: it reads the
// store's LastDateAdded and EntriesDeleted (which move on every add and every delete, also
// by another process such as `kizuna import` or `kizuna delete`) and the clock. It
// recompiles the collections when
//   - LastDateAdded moved since the compilation the current snapshot came from and an
//     indicator entered one of the collections since (one query: writes of sightings or
//     reports alone compile nothing), or EntriesDeleted moved, or
//   - the snapshot's next_change_us has passed (an indicator's valid_from or valid_until),
// and publishes the new snapshot; matching threads pick it up with their next block. A
// failed compilation (a store error) publishes nothing: the snapshot in use stays, and the
// error is returned so the caller can report it; the next Check tries again.
//
// Given an IndicatorSet (indicator_set.h) the reloader recompiles only what changed: a change
// in the store brings the set up to date (the JSON of the entries added since is read and
// parsed; after a delete the rest is listed without JSON to find what is gone), and the
// passing of a validity time reads nothing; either way the snapshot is built from the set,
// equal to what a full compilation gives. Without one, each reload compiles everything.
//
//   const StoreMarks marks = *StoreMarks::Read(store);    // before the first compilation
//   ... compile, LiveSnapshot live(first) ...
//   SnapshotReloader reloader(store, collection_ids, options, live, clock, marks, set.get());
//   absl::StatusOr<bool> published = reloader.Check(&report);   // every few seconds
//
// Thread-safety: Check from one thread at a time (not the matching threads); the store must
// not be used by another thread meanwhile.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/base/clock.h"
#include "kizuna/detect/compiler.h"
#include "kizuna/detect/indicator_set.h"
#include "kizuna/detect/live_snapshot.h"
#include "kizuna/store/store.h"

namespace kizuna::detect {

// The store's marks of change, read before a compilation: a compilation is of the store as
// it was at least up to them.
struct StoreMarks {
  int64_t last_added = 0;  // Store::LastDateAdded
  int64_t deleted = 0;     // Store::EntriesDeleted
  // Reads both (EntriesDeleted first). Errors: the store's.
  static absl::StatusOr<StoreMarks> Read(store::Store& store);
  bool operator==(const StoreMarks&) const = default;
};

class SnapshotReloader {
 public:
  // `compiled`: the store's marks read before the current snapshot of `live` was compiled.
  // `options.now_us` is replaced by the clock's time at each compilation. `set`: null, or the set
  // the current snapshot was built from (of `collection_ids`, read from `store`); it must outlive
  // the reloader, which updates it.
  SnapshotReloader(store::Store& store, std::vector<std::string> collection_ids,
                   CompileOptions options, LiveSnapshot& live, Clock& clock, StoreMarks compiled,
                   IndicatorSet* set = nullptr);

  // Recompiles and publishes when the store or the time call for it. Returns true when a
  // new snapshot was published (then `report`, if not null, describes it), false when
  // nothing changed. Errors: the store's (nothing published).
  absl::StatusOr<bool> Check(CompileReport* report);

  // Without a set: the first recompilation loads one (IndicatorSet::LoadAndBuild), kept by
  // the reloader, so that the later ones read only what changed (`kizuna match --reload`
  // after reading a compiled-set file, which holds no set).
  void KeepSetFromFirstReload() { keep_set_ = true; }

 private:
  store::Store& store_;
  std::vector<std::string> collection_ids_;
  CompileOptions options_;
  LiveSnapshot& live_;
  Clock& clock_;
  StoreMarks compiled_;
  IndicatorSet* set_;
  bool keep_set_ = false;
  std::unique_ptr<IndicatorSet> owned_set_;
};

}  // namespace kizuna::detect
