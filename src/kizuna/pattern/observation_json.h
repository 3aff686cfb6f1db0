// Kizuna. Building observations from STIX JSON (observed-data and their SCOs).
#pragma once

// ReadObservations() accepts what `kizuna pattern match` reads: a bundle, a JSON array of
// STIX objects, or JSON lines (one object, or one bundle, per line, in any mix). Every
// observed-data becomes one Observation, in input order:
//   * STIX 2.1: its SCOs are those listed in `object_refs`, looked up among the SCOs of the
//     same input (objects with an id whose type is not an SDO, SRO or meta object type); references inside them resolve by id.
//     Ids that are not found are skipped, as the OASIS matcher does.
//   * STIX 2.0 (and the deprecated 2.1 form): SCOs are the values of the `objects`
//     dictionary, and references use its keys.
// first_observed, last_observed (a valid STIX timestamp each, first <= last) and
// number_observed (1..999,999,999) are required.
//
// Thread-safety: stateless.

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/pattern/observation.h"
#include "kizuna/pattern/observation_sink.h"
#include "kizuna/pattern/version.h"
#include "simdjson.h"

namespace kizuna::pattern {

// Returns the observations in `json`. On failure returns InvalidArgument naming the
// document (1-based, for JSON lines), the object id and the property at fault, or
// ResourceExhausted when JSON nests deeper than kizuna::limits::kMaxJsonDepth or an
// observation outgrows Observation's limits. Uses simdjson On-Demand where the CPU runs its
// kernel (internal/ondemand_observations.h; its errors add the object's line, column and
// byte offset), else the DOM reader below; both give the same observations and reject the
// same inputs.
absl::StatusOr<std::vector<Observation>> ReadObservations(const simdjson::padded_string& json,
                                                          StixVersion version);

// The same for `json` followed by simdjson::SIMDJSON_PADDING readable bytes (the text of an
// InputFile, base/input_file.h, or of a padded_string). Nothing is copied.
absl::StatusOr<std::vector<Observation>> ReadPaddedObservations(std::string_view json,
                                                                StixVersion version);

// The same observations, handed to `sink` one at a time (observation_sink.h) instead of
// being kept: where the CPU runs On-Demand, each as soon as its SCOs are read; elsewhere
// after the DOM reader has read them all, in input order. Returns the reader's error (or the
// sink's).
absl::Status StreamPaddedObservations(std::string_view json, StixVersion version,
                                      ObservationSink& sink);

// The same for text not already in a padded buffer (copies it once).
absl::StatusOr<std::vector<Observation>> ParseObservations(std::string_view json,
                                                           StixVersion version);

// The reference reader, on every CPU: simdjson's DOM of the whole input, then a walk of it.
// REQUIRES: simdjson::SIMDJSON_PADDING readable bytes follow `json`.
absl::StatusOr<std::vector<Observation>> ReadObservationsDom(std::string_view json,
                                                             StixVersion version);

// True when this CPU runs the On-Demand reader.
bool OnDemandObservationsSupported();

}  // namespace kizuna::pattern
