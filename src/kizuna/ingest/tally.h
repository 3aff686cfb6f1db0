// Kizuna. What one ingest did with the objects it read: counts, and why objects were rejected.
#pragma once

// Every way in (ingest/README.md) counts the same way: objects read, versions added, versions
// the collection already held, and objects rejected (invalid, a conflicting version, or
// refused by the store's rules for the writer), with where and why for the first
// `max_kept` rejections. All are counted, whatever is kept.
// Thread-safety: a value type.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kizuna/store/store.h"

namespace kizuna::ingest {

struct Rejection {
  std::string where;   // "file:line:column", or the source's name for an object
  std::string id;      // the object's id when it could be read, else empty
  std::string reason;  // without the id in front: "created: invalid timestamp ..."
};

struct Tally {
  int64_t read = 0;             // objects seen
  int64_t added = 0;            // new versions stored
  int64_t already_present = 0;  // versions the collection already held
  int64_t rejected = 0;         // invalid objects, conflicting and refused versions
  std::vector<Rejection> rejections;  // the first `max_kept` rejections
  size_t max_kept = 1000;

  // Counts a rejection, keeping it while fewer than `max_kept` are kept.
  void Reject(std::string where, std::string id, std::string reason);
  // Counts a version the store added or already held and returns true; returns false for
  // one it rejected, which the caller reports with Reject and RejectionReason.
  bool Count(const store::AddResult& result);
};

// Returns `reason` without `id` and ": " in front: checkers' messages start with the object's
// id, and a rejection names the object apart.
std::string_view WithoutId(std::string_view id, std::string_view reason);

// Why the store did not add a version: a conflicting version (with the collection that holds
// it, for the operator), or the refusal's reason.
// REQUIRES: result.outcome is kConflict or kRefused.
std::string_view RejectionReason(const store::AddResult& result);

}  // namespace kizuna::ingest
