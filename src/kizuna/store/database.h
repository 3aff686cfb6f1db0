// Kizuna. A node's database: the object Store and the identity Directory in one.
#pragma once

// A node keeps its objects, its search index, its identities and its peers in one database,
// so one object implements the four interfaces: open it with store::OpenDatabase (open.h) and hand the
// server `Store&`, `Directory&` and `PeerStore&` views of it. Thread-safety: as the interfaces.

#include "kizuna/base/clock.h"
#include "kizuna/store/directory.h"
#include "kizuna/store/peers.h"
#include "kizuna/store/search_index.h"
#include "kizuna/store/store.h"

namespace kizuna::store {

class Database : public Store, public Directory, public PeerStore, public SearchIndex {
 protected:
  // `clock` stamps audit events; `random` makes ids (Directory). Both must outlive the database.
  Database(Clock& clock, Random& random) : Directory(clock, random) {}
};

}  // namespace kizuna::store
