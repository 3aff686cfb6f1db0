// Kizuna. What an alert says about an indicator besides its id, looked up when it hits.
#pragma once

// IndicatorDetails gives an alert's match the indicator's name, labels, TLP, creator
// (organisation id, name and nation) and the collection it was compiled from. Snapshots
// keep only ids (16 bytes per indicator, snapshot.h), so the details are read from the store
// the first time an indicator hits and cached: the cost is per indicator hit, never per
// record, and nothing is added to the compiled set. Members appended to a match (absent
// when unknown):
//
//   "name":"Emotet C2","labels":["botnet"],"tlp":"AMBER",
//   "created_by":"identity--...","organization":"CERT-A","nation":"JPN",
//   "collection":"intel"
//
// The indicator is looked up in the collections in the order given; where several hold it,
// the latest version wins (as in the compiler). The collection is named by its alias, else
// its title, else its id. `kizuna match` runs with the data directory (the operator's
// access): the details are those of the node's own store.
//
// Thread-safety: Append and Name are safe to call concurrently (one mutex around the cache;
// the store is thread-safe).

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "kizuna/detect/snapshot.h"
#include "kizuna/store/directory.h"
#include "kizuna/store/store.h"

namespace kizuna::detect {

class IndicatorDetails {
 public:
  // `store` and `directory` must outlive this object.
  IndicatorDetails(store::Store& store, store::Directory& directory,
                   std::vector<store::Collection> collections);
  IndicatorDetails(const IndicatorDetails&) = delete;
  IndicatorDetails& operator=(const IndicatorDetails&) = delete;

  // Appends the members above, each preceded by a comma; nothing when the indicator is not
  // found (or the store fails: alerts never wait on a broken store twice for one indicator).
  void Append(const Uuid& indicator, std::string& out);
  // Returns the indicator's name, or empty when it has none or is not found.
  std::string Name(const Uuid& indicator);

 private:
  struct Entry {
    std::string members;
    std::string name;
  };
  // REQUIRES: mutex_ held.
  const Entry& Lookup(const Uuid& indicator) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  Entry Read(const Uuid& indicator);

  store::Store& store_;
  store::Directory& directory_;
  const std::vector<store::Collection> collections_;
  std::mutex mutex_;
  absl::flat_hash_map<Uuid, Entry> cache_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace kizuna::detect
