// Kizuna. What `kizuna exercise run` POSTs to a team's node: an inject's STIX content, or the
// implied indicators, as one TAXII envelope of exercise data.
#pragma once

// The envelope holds the exercise marking definition first (so the receiving node holds it),
// then every object of the bundle (or envelope, or list) given, as written. Every object but
// marking definitions must carry the exercise marking (stix/exercise_marking.h): an inject is
// exercise data, and one that is not marked would be refused by the team's exercise
// collection's peers and could be mistaken for real intelligence, so it is refused here
// first, naming the object.
//
// Thread-safety: stateless.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kizuna::exercise {

// Most bytes of an inject's content file.
inline constexpr size_t kMaxInjectBytes = size_t{16} << 20;

// Returns the envelope's JSON text. InvalidArgument "origin: ..." for a malformed document, an
// invalid object (naming its id) or an object without the exercise marking.
absl::StatusOr<std::string> InjectEnvelope(std::string_view document, std::string_view origin);

}  // namespace kizuna::exercise
