// Kizuna. Values the console keeps for a while, bounded per user so that no user can push
// out what the others rely on.
#pragma once

// The console keeps costly answers (counts, briefs, dashboard tallies) under keys that users
// choose in part (periods, collections, audiences). A cache emptied when full would let one
// user, asking for many keys, throw away everyone's answers and make the node compute them
// again. Here each value is filed under the user who put it: a user holds at most
// `per_owner` values, and putting one more drops that user's oldest; only when the cache
// holds `total` values does a put drop the oldest of all, which takes total / per_owner
// users.
//
//   KeptCache<int> kept(/*per_owner=*/32, /*total=*/1024);
//   kept.Put("alice", "key", 7);
//   const int* v = kept.Find("key");
//
// Thread-safety: none; the owner of the cache locks around every call.

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"

namespace kizuna::api {

template <typename V>
class KeptCache {
 public:
  // REQUIRES: 1 <= per_owner <= total.
  KeptCache(size_t per_owner, size_t total) : per_owner_(per_owner), total_(total) {}

  // The value kept under `key`, or null. Valid until the next Put.
  const V* Find(const std::string& key) const {
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : &it->second.value;
  }

  // Keeps `value` under `key` (replacing what was there), filed under `owner`.
  void Put(const std::string& owner, std::string key, V value) {
    entries_.erase(key);
    size_t owned = 0;
    for (const auto& [k, e] : entries_) owned += e.owner == owner ? 1 : 0;
    if (owned >= per_owner_) {
      DropOldest(&owner);
    } else if (entries_.size() >= total_) {
      DropOldest(nullptr);
    }
    entries_.emplace(std::move(key), Entry{std::move(value), owner, next_++});
  }

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    V value;
    std::string owner;
    uint64_t order;  // when it was put
  };

  // Drops the oldest value of `owner`, or of all when null. Linear: the caches are small and
  // a put follows a costly computation.
  void DropOldest(const std::string* owner) {
    auto oldest = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (owner != nullptr && it->second.owner != *owner) continue;
      if (oldest == entries_.end() || it->second.order < oldest->second.order) oldest = it;
    }
    if (oldest != entries_.end()) entries_.erase(oldest);
  }

  const size_t per_owner_;
  const size_t total_;
  uint64_t next_ = 0;
  absl::flat_hash_map<std::string, Entry> entries_;
};

}  // namespace kizuna::api
