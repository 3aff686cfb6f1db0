// Kizuna.
#include "kizuna/detect/reloader.h"

#include "kizuna/base/status.h"
#include "kizuna/store/added_since.h"

namespace kizuna::detect {

SnapshotReloader::SnapshotReloader(store::Store& store, std::vector<std::string> collection_ids,
                                   CompileOptions options, LiveSnapshot& live, Clock& clock,
                                   int64_t compiled_mark, IndicatorSet* set)
    : store_(store),
      collection_ids_(std::move(collection_ids)),
      options_(options),
      live_(live),
      clock_(clock),
      compiled_mark_(compiled_mark),
      set_(set),
      deletes_seen_(store.LocalDeletes()) {}

absl::StatusOr<bool> SnapshotReloader::Check(CompileReport* report) {
  absl::StatusOr<int64_t> mark = store_.LastDateAdded();
  if (!mark.ok()) return mark.status();
  const int64_t deletes = store_.LocalDeletes();
  const int64_t now = clock_.NowMicros();
  const int64_t next_change = live_.Load()->next_change_us();
  const bool due = next_change != 0 && now >= next_change;
  if (*mark == compiled_mark_ && deletes == deletes_seen_ && !due) return false;
  // Writes of anything but indicators (the run's own sightings, reports) change nothing.
  bool changed = deletes != deletes_seen_;
  for (size_t i = 0; !changed && *mark != compiled_mark_ && i < collection_ids_.size(); ++i) {
    KZ_ASSIGN_OR_RETURN(
        changed, store::AddedSince(store_, collection_ids_[i], compiled_mark_, {"indicator"}));
  }
  if (!changed && !due) {
    compiled_mark_ = *mark;
    return false;
  }
  CompileOptions options = options_;
  options.now_us = now;
  CompileReport local;
  CompileReport* out = report != nullptr ? report : &local;
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot;
  if (set_ == nullptr) {
    snapshot = CompileFromStore(store_, collection_ids_, options, out);
  } else {
    // Only a change in the store is read; the passing of a validity time reads nothing.
    if (changed) {
      absl::StatusOr<IndicatorSet::UpdateStats> updated = set_->Update(store_);
      if (!updated.ok()) return updated.status();
    }
    snapshot = set_->Build(options, out);
  }
  if (!snapshot.ok()) return snapshot.status();
  live_.Publish(std::move(*snapshot));
  compiled_mark_ = *mark;
  deletes_seen_ = deletes;
  return true;
}

}  // namespace kizuna::detect
