// Kizuna.
#include "kizuna/detect/reloader.h"

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
  if (*mark == compiled_mark_ && (next_change == 0 || now < next_change)) return false;
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
