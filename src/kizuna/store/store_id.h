// Kizuna. The identity of a store: a random number made once per store.
#pragma once

// node_state store_id is made by the store's migration (SQLite 024_random_delete_mark.sql,
// PostgreSQL 009_random_delete_mark.sql) and never changed. What shares it is one store: its
// processes, and a file copy of it (a backup, restored). `kizuna store copy` makes another
// store, with an id of its own (copy_from_sqlite.cc leaves it). A compiled-set file names
// the store it was compiled from (detect/compiled_set.h), so a file made against one store is
// never read against another at the same path.
//
//   KZ_ASSIGN_OR_RETURN(const int64_t id, store::StoreId(store));
//
// Thread-safety: as the store's reads.

#include <cstdint>

#include "absl/status/statusor.h"
#include "kizuna/store/store.h"

namespace kizuna::store {

// The id of `store` (an SqliteStore or a PgStore). DataLoss when its node_state has none;
// Unimplemented for another kind of store; the store's errors.
absl::StatusOr<int64_t> StoreId(Store& store);

}  // namespace kizuna::store
