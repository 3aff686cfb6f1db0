// Kizuna.
#include "kizuna/detect/reloader.h"

#include "kizuna/base/status.h"
#include "kizuna/store/added_since.h"

namespace kizuna::detect {

SnapshotReloader::SnapshotReloader(store::Store& store, std::vector<std::string> collection_ids,
                                   CompileOptions options, LiveSnapshot& live, Clock& clock,
                                   StoreMarks compiled, IndicatorSet* set)
    : store_(store),
      collection_ids_(std::move(collection_ids)),
      options_(options),
      live_(live),
      clock_(clock),
      compiled_(compiled),
      set_(set) {}

absl::StatusOr<StoreMarks> StoreMarks::Read(store::Store& store) {
  StoreMarks marks;
  KZ_ASSIGN_OR_RETURN(marks.deleted, store.EntriesDeleted());
  KZ_ASSIGN_OR_RETURN(marks.last_added, store.LastDateAdded());
  return marks;
}

absl::StatusOr<bool> SnapshotReloader::Check(CompileReport* report) {
  KZ_ASSIGN_OR_RETURN(const StoreMarks marks, StoreMarks::Read(store_));
  const int64_t now = clock_.NowMicros();
  const int64_t next_change = live_.Load()->next_change_us();
  const bool due = next_change != 0 && now >= next_change;
  if (marks == compiled_ && !due) return false;
  // Writes of anything but indicators (the run's own sightings, reports) change nothing.
  bool changed = marks.deleted != compiled_.deleted;
  for (size_t i = 0;
       !changed && marks.last_added != compiled_.last_added && i < collection_ids_.size(); ++i) {
    KZ_ASSIGN_OR_RETURN(changed, store::AddedSince(store_, collection_ids_[i], compiled_.last_added,
                                                   {"indicator"}));
  }
  if (!changed && !due) {
    compiled_ = marks;
    return false;
  }
  CompileOptions options = options_;
  options.now_us = now;
  CompileReport local;
  CompileReport* out = report != nullptr ? report : &local;
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot;
  if (set_ == nullptr && keep_set_) {
    absl::StatusOr<IndicatorSet::Loaded> loaded =
        IndicatorSet::LoadAndBuild(store_, collection_ids_, options, out);
    if (!loaded.ok()) return loaded.status();
    owned_set_ = std::move(loaded->set);
    set_ = owned_set_.get();
    snapshot = std::move(loaded->snapshot);
  } else if (set_ == nullptr) {
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
  compiled_ = marks;
  return true;
}

}  // namespace kizuna::detect
