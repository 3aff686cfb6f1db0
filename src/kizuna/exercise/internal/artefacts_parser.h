// Kizuna. Reads the `artefacts` mapping of a step or look-alike (scenario_parser.cc).
#pragma once

// Thread-safety: stateless.

#include "kizuna/exercise/internal/yaml_fields.h"
#include "kizuna/exercise/scenario.h"

namespace kizuna::exercise_internal {

// Reads `node` at `path` into `out`. Errors name file:line and the key path.
absl::Status ReadArtefacts(const FieldReader& r, const YAML::Node& node, const std::string& path,
                           exercise::Artefacts& out);

}  // namespace kizuna::exercise_internal
