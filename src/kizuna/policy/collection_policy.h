// Kizuna. What a collection adds to the policy: the communities it serves and the release of
// objects that carry no marking about release.
#pragma once

// Each collection serves zero or more sharing communities ("jpn-usa", "jpn-usa-kor"): TLP:GREEN
// objects in it reach members of those communities and are forwarded only to peers in them.
// An object without any TLP, releasability or recipients marking is released by the
// collection's default release (identity/release.h: creator-nation, readers, communities, or
// a list of nations and communities).
// Thread-safety: a value type.

#include <string>
#include <vector>

#include "kizuna/identity/release.h"

namespace kizuna::policy {

struct CollectionPolicy {
  std::vector<std::string> communities;  // communities the collection serves
  identity::DefaultRelease default_release;
};

}  // namespace kizuna::policy
