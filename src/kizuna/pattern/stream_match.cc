// Kizuna.
#include "kizuna/pattern/stream_match.h"

#include <algorithm>

namespace kizuna::pattern {

StreamMatch::StreamMatch(const Pattern& pattern)
    : pattern_(pattern), single_(pattern.requirements().single_observation) {}

absl::Status StreamMatch::Add(size_t index, const Observation& observation) {
  const size_t global = base_ + index;
  input_count_ = std::max(input_count_, index + 1);
  if (!single_) {
    if (global >= kept_.size()) kept_.resize(global + 1);
    // A copy allocates its buffers at their final size, next to each other (observation.h).
    kept_[global] = observation;
    return absl::OkStatus();
  }
  if (found_ && global >= found_index_) return absl::OkStatus();  // cannot come first
  absl::StatusOr<bool> matches = pattern_.Matches(observation);
  if (matches.ok() && !*matches) return absl::OkStatus();
  found_ = true;
  found_index_ = global;
  found_status_ = matches.status();
  found_id_.assign(observation.id());
  return absl::OkStatus();
}

void StreamMatch::Restart() {
  input_count_ = 0;
  if (found_ && found_index_ >= base_) found_ = false;
  kept_.resize(std::min(kept_.size(), base_));
}

void StreamMatch::EndInput() {
  base_ += input_count_;
  input_count_ = 0;
}

absl::StatusOr<StreamMatchResult> StreamMatch::Finish() const {
  StreamMatchResult out;
  if (single_) {
    if (!found_) return out;
    if (!found_status_.ok()) return found_status_;
    out.matched = true;
    out.bound_ids.push_back(found_id_);
    return out;
  }
  absl::StatusOr<MatchResult> result = pattern_.Match(std::span<const Observation>(kept_));
  if (!result.ok()) return result.status();
  out.matched = result->matched;
  for (size_t i : result->bound) out.bound_ids.emplace_back(kept_[i].id());
  return out;
}

}  // namespace kizuna::pattern
