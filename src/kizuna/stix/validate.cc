// Kizuna.
#include "kizuna/stix/validate.h"

namespace kizuna::stix {

// The full rule tables are being written; until they land, only the common-property checks
// of IndexObject apply.
absl::Status ValidateObject(simdjson::dom::object, const ObjectIndex&) { return absl::OkStatus(); }

}  // namespace kizuna::stix
