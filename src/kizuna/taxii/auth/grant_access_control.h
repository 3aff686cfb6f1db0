// Kizuna. The AccessControl of collection grants and roles, with a cached grant table.
#pragma once

// A principal may read (write) a collection when a grant gives read (write) on it to the
// principal's organisation or to one of its groups, and its roles allow it:
//   reader                   read only, whatever the grants say about writing;
//   publisher, org admin     read and write as granted;
//   peer                     read and write as granted (a partner node; its reads are
//                            onward sharing for policy::Decide);
//   node admin               read and write every collection, grants or not;
//   no role                  nothing.
// Write does not imply read: a write-only grant makes a drop box.
//
// The grant table is read from the directory once and kept as an immutable snapshot; every
// call costs a hash lookup and a scan of that collection's few grants. It is rebuilt when
// the directory's change version moves: at once for changes through the same Directory
// object, within `refresh_interval_us` (default 1 s) for changes by another process.
// The principal's organisation and groups are taken as given: TokenAuthenticator keeps them
// as fresh (same bound).
//
//   GrantAccessControl access(db->directory(), SystemClock());
//   KZ_ASSIGN_OR_RETURN(CollectionAccess can, access.Access(principal, collection_id));
//
// Thread-safety: safe for concurrent use by every server thread.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "kizuna/base/clock.h"
#include "kizuna/store/directory.h"
#include "kizuna/taxii/auth/authenticator.h"
#include "kizuna/taxii/auth/change_watch.h"

namespace kizuna::taxii {

struct AccessControlOptions {
  // Longest a grant change made by another process takes to be seen. Default 1 s.
  int64_t refresh_interval_us = 1'000'000;
};

class GrantAccessControl : public AccessControl {
 public:
  // `directory` and `clock` must outlive this object.
  GrantAccessControl(store::Directory& directory, Clock& clock, AccessControlOptions options = {});
  GrantAccessControl(const GrantAccessControl&) = delete;
  GrantAccessControl& operator=(const GrantAccessControl&) = delete;

  // See AccessControl. Does not check that the collection exists: a node admin gets full
  // access to any id, so the server must answer 404 for collections it does not have.
  // Returns the directory's error (e.g. Unavailable) when the grants cannot be read.
  absl::StatusOr<CollectionAccess> Access(const identity::Principal& principal,
                                          std::string_view collection_id) override;

 private:
  // The grants of every collection, as of one change epoch.
  struct Snapshot {
    uint64_t epoch = 0;
    absl::flat_hash_map<std::string, std::vector<store::Grant>> by_collection;
  };

  // Returns the snapshot of the current epoch, rebuilding it if the directory changed.
  absl::StatusOr<std::shared_ptr<const Snapshot>> Current();

  store::Directory& directory_;
  ChangeWatch watch_;
  absl::Mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kizuna::taxii
