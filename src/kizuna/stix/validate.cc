// Kizuna.
#include "kizuna/stix/validate.h"

#include "kizuna/stix/internal/validator.h"

namespace kizuna::stix {

absl::Status ValidateObject(simdjson::dom::object object, const ObjectIndex& index) {
  stix_internal::Validator validator(object, index);
  return validator.Run();
}

}  // namespace kizuna::stix
