// Kizuna. The JSON of a TAXII status resource (§4.3.1). Internal to src/kizuna/taxii/.
#pragma once

#include <string>

#include "kizuna/store/store.h"

namespace kizuna::taxii::taxii_internal {

// Returns the status resource for `status`. Kizuna completes every request before answering,
// so `status` is "complete" and nothing is pending.
std::string StatusJson(const store::StatusRecord& status);

}  // namespace kizuna::taxii::taxii_internal
