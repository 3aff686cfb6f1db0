// Kizuna. Whether a collection received entries of some types since a point in time.
#pragma once

// Long-running readers keep what they built from a collection (the matcher's compiled
// indicators, the bus's indicator set) and build it again only when entries that matter to
// them were added: LastDateAdded tells that something was added, this tells whether it was
// of the types they read. One query of one row.
//
//   KZ_ASSIGN_OR_RETURN(bool added, store::AddedSince(store, collection, mark_us, {"indicator"}));
//
// Thread-safety: as Store::GetObjects.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/store/store.h"

namespace kizuna::store {

// Whether the latest version of an object of `types` in `collection_id` was added after
// `after_us`. Errors: the store's.
absl::StatusOr<bool> AddedSince(Store& store, std::string_view collection_id, int64_t after_us,
                                std::vector<std::string> types);

}  // namespace kizuna::store
