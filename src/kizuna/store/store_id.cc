// Kizuna.
#include "kizuna/store/store_id.h"

#include "kizuna/store/postgres/pg_store.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {

// Each backend reads its node_state; Store itself does not name it, so that this read does
// not change the interface every store user compiles against.
absl::StatusOr<int64_t> StoreId(Store& store) {
  if (auto* sqlite = dynamic_cast<SqliteStore*>(&store)) return sqlite->StoreId();
  if (auto* pg = dynamic_cast<PgStore*>(&store)) return pg->StoreId();
  return absl::UnimplementedError("this kind of store has no store id");
}

}  // namespace kizuna::store
