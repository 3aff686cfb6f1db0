// Kizuna.
#include "kizuna/detect/reloader.h"

#include "kizuna/base/status.h"
#include "kizuna/store/added_since.h"

namespace kizuna::detect {

SnapshotReloader::SnapshotReloader(store::Store& store, std::vector<std::string> collection_ids,
                                   CompileOptions options, LiveSnapshot& live, Clock& clock,
                                   int64_t compiled_mark)
    : store_(store),
      collection_ids_(std::move(collection_ids)),
      options_(options),
      live_(live),
      clock_(clock),
      compiled_mark_(compiled_mark) {}

absl::StatusOr<bool> SnapshotReloader::Check(CompileReport* report) {
  absl::StatusOr<int64_t> mark = store_.LastDateAdded();
  if (!mark.ok()) return mark.status();
  const int64_t now = clock_.NowMicros();
  const int64_t next_change = live_.Load()->next_change_us();
  const bool due = next_change != 0 && now >= next_change;
  if (*mark == compiled_mark_ && !due) return false;
  if (!due) {
    // Writes of anything but indicators (the run's own sightings, reports) change nothing.
    bool added = false;
    for (const std::string& collection : collection_ids_) {
      KZ_ASSIGN_OR_RETURN(added,
                          store::AddedSince(store_, collection, compiled_mark_, {"indicator"}));
      if (added) break;
    }
    if (!added) {
      compiled_mark_ = *mark;
      return false;
    }
  }
  CompileOptions options = options_;
  options.now_us = now;
  CompileReport local;
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot =
      CompileFromStore(store_, collection_ids_, options, report != nullptr ? report : &local);
  if (!snapshot.ok()) return snapshot.status();
  live_.Publish(std::move(*snapshot));
  compiled_mark_ = *mark;
  return true;
}

}  // namespace kizuna::detect
