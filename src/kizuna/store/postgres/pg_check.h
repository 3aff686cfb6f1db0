// Kizuna. `kizuna check` on a PostgreSQL store (CheckDataDir, store/check.h); not for other
// modules.
#pragma once

// Steps, after connecting to the database the data directory records:
//   "postgresql"  the schema version is this Kizuna's; with kFull, every B-tree index of the
//                 store against its table (amcheck's bt_index_check with heapallindexed),
//                 when the database has the amcheck extension, within the time budget.
//   "entries", "marking-definitions", "peer-tokens"  as on SQLite (check_rules.h), read in one
//                 read-only snapshot (REPEATABLE READ), so a node may serve meanwhile.
//   "modes"       the data directory's.
// kQuick runs "postgresql" (without amcheck) and "modes". SQLite's "ids" step has no
// counterpart: PostgreSQL finds objects by id through its own index.
// Thread-safety: may run in any thread; it opens a connection of its own.

#include <string>

#include "kizuna/base/clock.h"
#include "kizuna/store/check.h"

namespace kizuna::store::pg_internal {

// Checks the store of `url` for the data directory `dir`. Problems, a database that cannot be
// reached included, are in the report.
CheckReport CheckPostgres(const std::string& url, const std::string& dir,
                          const CheckOptions& options, Clock& clock);

}  // namespace kizuna::store::pg_internal
