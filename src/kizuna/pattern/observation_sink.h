// Kizuna. Where a streaming observation reader hands over each observation it completes.
#pragma once

// StreamPaddedObservations (observation_json.h) builds each observation in one reused object
// and hands it to an ObservationSink instead of keeping every observation of the input, so a
// caller that needs one observation at a time (a single-observation pattern) evaluates while
// reading, and one that needs them all copies them.
//
// Thread-safety: a sink is called from the reading thread only.

#include <cstddef>

#include "absl/status/status.h"
#include "kizuna/pattern/observation.h"

namespace kizuna::pattern {

class ObservationSink {
 public:
  virtual ~ObservationSink() = default;

  // One observation, valid only during the call. `index` is its place among the input's
  // observed-data (0-based, input order). Each index comes once, but not necessarily in
  // order: an observed-data whose object_refs name SCOs further on waits for them. An error
  // stops the reading and is returned by the reader.
  virtual absl::Status Add(size_t index, const Observation& observation) = 0;

  // Forgets everything added so far: the reader reads the input again from its start (in
  // the same order), e.g. when it turned out not to be of the layout first assumed.
  virtual void Restart() = 0;
};

}  // namespace kizuna::pattern
