// Kizuna.
#include "kizuna/pattern/stream_match.h"

#include <algorithm>

#include "kizuna/pattern/internal/evaluator.h"

namespace kizuna::pattern {

StreamMatch::StreamMatch(const Pattern& pattern)
    : pattern_(pattern), single_(pattern.requirements().single_observation) {
  if (!single_) candidates_ = std::make_unique<pattern_internal::Candidates>(pattern.program());
}

StreamMatch::~StreamMatch() = default;

absl::Status StreamMatch::Add(size_t index, const Observation& observation) {
  const size_t global = base_ + index;
  input_count_ = std::max(input_count_, index + 1);
  if (!single_) {
    if (candidates_->Add(global, observation)) {
      candidate_ids_.push_back({global, candidate_id_text_.size(), observation.id().size()});
      candidate_id_text_ += observation.id();
    }
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
  if (!single_) {
    candidates_->Forget(base_);
    std::erase_if(candidate_ids_, [this](const CandidateId& c) { return c.index >= base_; });
  }
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
  absl::StatusOr<MatchResult> result = candidates_->Match();
  if (!result.ok()) return result.status();
  out.matched = result->matched;
  // Bound indexes are ascending: each candidate's is looked up among them.
  out.bound_ids.resize(result->bound.size());
  for (const CandidateId& c : candidate_ids_) {
    auto at = std::lower_bound(result->bound.begin(), result->bound.end(), c.index);
    if (at == result->bound.end() || *at != c.index) continue;
    out.bound_ids[at - result->bound.begin()] = candidate_id_text_.substr(c.offset, c.size);
  }
  return out;
}

}  // namespace kizuna::pattern
