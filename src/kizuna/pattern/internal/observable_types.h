// Kizuna. Which STIX object types are cyber-observables, for the observation readers.
#pragma once

// Thread-safety: stateless.

#include <string_view>

#include "kizuna/stix/object.h"

namespace kizuna::pattern_internal {

// True for the STIX 2.1 object types that are not cyber-observables (SDOs, SROs, meta
// objects, bundles). Every other object with an id may be referenced from object_refs as an
// SCO, custom ones included.
inline bool IsNonObservableType(std::string_view type) {
  const stix::ObjectKind kind = stix::KindOfType(type);
  return kind == stix::ObjectKind::kSdo || kind == stix::ObjectKind::kSro ||
         kind == stix::ObjectKind::kMeta || type == "bundle";
}

}  // namespace kizuna::pattern_internal
