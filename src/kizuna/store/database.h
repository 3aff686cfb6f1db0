// Kizuna. A node's database: the object Store and the identity Directory in one.
#pragma once

// A node keeps its objects and its identities in one database, so one object implements
// both interfaces: open it with store::OpenDatabase (open.h) and hand the server
// `Store&` and `Directory&` views of it. Thread-safety: as Store and Directory.

#include "kizuna/base/clock.h"
#include "kizuna/store/directory.h"
#include "kizuna/store/store.h"

namespace kizuna::store {

class Database : public Store, public Directory {
 protected:
  // `clock` stamps audit events; it must outlive the database.
  explicit Database(Clock& clock) : Directory(clock) {}
};

}  // namespace kizuna::store
