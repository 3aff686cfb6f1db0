// Kizuna. The fast path of ReadObservations (observation_json.h): simdjson On-Demand.
#pragma once

// ReadObservationsOnDemand reads what ReadObservationsDom reads and returns the same
// observations, or fails on the same inputs, without building a DOM of the whole input; it is
// StreamObservationsOnDemand with a sink that copies each observation once into the result.
// A bundle or a JSON list is split into its objects by counting brackets (strings skipped),
// and each object is indexed by simdjson's On-Demand front end on its own with one reused
// parser, so memory stays the size of one object; JSON lines go through iterate_many. Any
// other layout, and any error, makes the reader start again on the whole document (the
// sink is told to Restart), so errors are those of the whole-document walk. Each observation
// is built in a reused scratch object and handed to the sink as soon as its SCOs are known:
// an observed-data whose object_refs name SCOs further on waits for them (or for the end of
// the input), and such an SCO is built straight into each observation it completes (on its
// own, to check it, when it completes none); SCOs are kept as their JSON text and read
// again when named later. Every
// value is still parsed (skipped members are walked and checked, as the DOM parse checks
// them). Ids and object_refs are views into `json` where they hold no escapes, so nothing is
// copied for the STIX 2.1 object_refs resolution. Errors carry the document (1-based, for JSON
// lines) and, where an object is at fault, its line, column and byte offset.
//
// ondemand_observations.cc is compiled for the x86-64 ISA simdjson calls haswell (AVX2, BMI,
// PCLMUL, LZCNT), because Debian's simdjson binds its On-Demand kernel at compile time;
// observation_json.cc calls it only where OnDemandObservationsSupported() (which is compiled
// for every CPU) says this CPU runs it, and uses the DOM reader elsewhere.
//
// Thread-safety: stateless; each call is independent.

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/pattern/observation.h"
#include "kizuna/pattern/observation_sink.h"
#include "kizuna/pattern/version.h"

namespace kizuna::pattern_internal {

// The simdjson implementation ondemand_observations.cc was compiled for.
extern const char kObservationsImplementation[];

// As ReadObservationsDom. REQUIRES: simdjson::SIMDJSON_PADDING readable bytes follow `json`
// (a padded_string, or a MappedInput) and OnDemandObservationsSupported().
absl::StatusOr<std::vector<pattern::Observation>> ReadObservationsOnDemand(
    std::string_view json, pattern::StixVersion version);

// The same, handing each observation to `sink` (observation_sink.h) instead of keeping it.
absl::Status StreamObservationsOnDemand(std::string_view json, pattern::StixVersion version,
                                        pattern::ObservationSink& sink);

}  // namespace kizuna::pattern_internal
