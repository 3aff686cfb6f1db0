// Kizuna. Recompiling the indicators when the store changes, while matching goes on.
#pragma once

// A SnapshotReloader keeps a LiveSnapshot up to date for a long matching run (a sensor's
// live stream on standard input). Check() is cheap when nothing changed: it reads the
// store's LastDateAdded (which moves on every write, also by another process such as
// `kizuna import`), the store's count of its own deletes, and the clock. It recompiles the
// collections when
//   - LastDateAdded moved since the compilation the current snapshot came from and an
//     indicator entered one of the collections since (one query: writes of sightings or
//     reports alone compile nothing), or this store object deleted entries, or
//   - the snapshot's next_change_us has passed (an indicator's valid_from or valid_until),
// and publishes the new snapshot; matching threads pick it up with their next block. A
// failed compilation (a store error) publishes nothing: the snapshot in use stays, and the
// error is returned so the caller can report it; the next Check tries again.
//
// Given an IndicatorSet (indicator_set.h) the reloader recompiles only what changed: a change
// in the store brings the set up to date (the JSON of the entries added since is read and
// parsed, the rest is listed without JSON to find deletions and replaced versions), and the
// passing of a validity time reads nothing; either way the snapshot is built from the set,
// equal to what a full compilation gives. Without one, each reload compiles everything.
// Deletions made by another process (`kizuna delete` on SQLite) move nothing the reloader
// polls: they are applied with the next reload a change in the store makes (the listing
// finds them, as a full compilation would).
//
//   const int64_t mark = *store.LastDateAdded();          // before the first compilation
//   ... compile, LiveSnapshot live(first) ...
//   SnapshotReloader reloader(store, collection_ids, options, live, clock, mark, set.get());
//   absl::StatusOr<bool> published = reloader.Check(&report);   // every few seconds
//
// Thread-safety: Check from one thread at a time (not the matching threads); the store must
// not be used by another thread meanwhile.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/base/clock.h"
#include "kizuna/detect/compiler.h"
#include "kizuna/detect/indicator_set.h"
#include "kizuna/detect/live_snapshot.h"
#include "kizuna/store/store.h"

namespace kizuna::detect {

class SnapshotReloader {
 public:
  // `compiled_mark`: the store's LastDateAdded read before the current snapshot of `live`
  // was compiled. `options.now_us` is replaced by the clock's time at each compilation.
  // `set`: null, or the set the current snapshot was built from (of `collection_ids`, read
  // from `store`); it must outlive the reloader, which updates it.
  SnapshotReloader(store::Store& store, std::vector<std::string> collection_ids,
                   CompileOptions options, LiveSnapshot& live, Clock& clock, int64_t compiled_mark,
                   IndicatorSet* set = nullptr);

  // Recompiles and publishes when the store or the time call for it. Returns true when a
  // new snapshot was published (then `report`, if not null, describes it), false when
  // nothing changed. Errors: the store's (nothing published).
  absl::StatusOr<bool> Check(CompileReport* report);

 private:
  store::Store& store_;
  std::vector<std::string> collection_ids_;
  CompileOptions options_;
  LiveSnapshot& live_;
  Clock& clock_;
  int64_t compiled_mark_;
  IndicatorSet* set_;
  int64_t deletes_seen_;
};

}  // namespace kizuna::detect
