// Kizuna. One pattern matched against observations as a streaming reader hands them over.
#pragma once

// StreamMatch is the ObservationSink (observation_sink.h) of `kizuna pattern match`: give it
// to StreamPaddedObservations for each input in turn (EndInput() after each), then Finish().
// The result is that of Pattern::Match over every observation of every input, in input order:
//   * a single-observation pattern (Requirements::single_observation) is evaluated on each
//     observation as it arrives and nothing is kept: the match is the first observation in
//     input order that matches (or, as Match does, the error of an earlier one that stopped
//     the evaluation); observations after a match are read but not evaluated;
//   * any other pattern (AND, FOLLOWEDBY, REPEATS) needs the observations together: each
//     observation's leaves `[...]` are evaluated as it arrives, and only what the binding
//     search needs of the candidates (index, times, number_observed, id) is kept; the search
//     runs at the end (internal/evaluator.h, Candidates). Memory is proportional to the
//     observations that match some leaf, not to the input.
//
// Thread-safety: single-threaded; the Pattern may be shared.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/pattern/observation.h"
#include "kizuna/pattern/observation_sink.h"
#include "kizuna/pattern/pattern.h"

namespace kizuna::pattern_internal {
class Candidates;
}  // namespace kizuna::pattern_internal

namespace kizuna::pattern {

struct StreamMatchResult {
  bool matched = false;
  // The ids of the observations the match binds, in input order.
  std::vector<std::string> bound_ids;
};

class StreamMatch : public ObservationSink {
 public:
  explicit StreamMatch(const Pattern& pattern);
  ~StreamMatch() override;

  absl::Status Add(size_t index, const Observation& observation) override;
  void Restart() override;

  // The input being read is complete: the next one's indexes follow its own.
  void EndInput();

  // The result over all inputs ended, or the evaluation's error (ResourceExhausted).
  absl::StatusOr<StreamMatchResult> Finish() const;

  // Observations seen in the inputs ended.
  size_t observation_count() const { return base_; }

 private:
  const Pattern& pattern_;
  const bool single_;
  size_t base_ = 0;         // observations of the inputs ended
  size_t input_count_ = 0;  // observations of the input being read
  // Single-observation patterns: the first observation (input order) that matched or failed.
  bool found_ = false;
  size_t found_index_ = 0;
  absl::Status found_status_;
  std::string found_id_;
  // Other patterns: the first stage's candidates, and their ids in the order they came.
  struct CandidateId {
    size_t index;
    size_t offset, size;  // in candidate_id_text_
  };
  std::unique_ptr<pattern_internal::Candidates> candidates_;
  std::vector<CandidateId> candidate_ids_;
  std::string candidate_id_text_;
};

}  // namespace kizuna::pattern
