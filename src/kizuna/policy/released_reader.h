// Kizuna. The one released read: a collection's entries as the policy releases them to one
// principal.
#pragma once

// Every read of object versions goes through ReleasedReader::Read: the TAXII reading endpoints
// (objects, manifest, an object, versions), `kizuna export` (as the operator, `--as` a user or
// `--for-peer`) and the sync engine's push. So "every read goes through one decision" is held
// by the structure, not by each caller. A read pages the store with the caller's filters and
// keeps what policy::Decide releases, redacted copies in place of the stored JSON
// (docs/policy.md):
//   - withheld entries are left out as if they did not exist; to fill a page the reader reads
//     on, store page after store page (each twice the last, up to store::kMaxPageLimit), up to
//     `max_entries_read` entries; a principal facing a longer run of withheld entries gets a
//     short (even empty) page whose `more` says that entries follow;
//   - where a first or last version the request selects is withheld, the first or last
//     version the principal may see stands in its place (unless it was added before the
//     request's added_after), so a hidden newer version cannot be told from none;
//   - `next` continues after the last entry read or served. It may lie past withheld entries:
//     encrypt it before a client sees it (taxii::NextTokens).
//
//   policy::ReleasedReader reader(store, policy);
//   KZ_ASSIGN_OR_RETURN(store::Page page, reader.Read(principal, collection, {}, request));
//
// Thread-safety: safe for concurrent use, as the store and the policy are.

#include <cstddef>
#include <string_view>

#include "absl/status/statusor.h"
#include "kizuna/policy/policy.h"
#include "kizuna/store/store.h"

namespace kizuna::policy {

// What a read returns: a collection's entries, or one object's.
struct ReadTarget {
  enum class Kind : uint8_t {
    kObjects,   // entries with their JSON (TAXII Get Objects, export, push)
    kManifest,  // entries without JSON (TAXII Get Object Manifests)
    kObject,    // one object's entries, with JSON (TAXII Get an Object)
    kVersions,  // one object's versions, without JSON; the version filter is ignored
  };
  Kind kind = Kind::kObjects;
  std::string_view object_id;  // kObject and kVersions
};

class ReleasedReader {
 public:
  // Most entries one Read takes from the store (see above). Default 200,000.
  static constexpr size_t kMaxEntriesRead = 200'000;

  // `store` and `policy` must outlive the reader.
  ReleasedReader(store::Store& store, Policy& policy) : store_(store), policy_(policy) {}

  // Returns up to `request.limit` entries of `target` in `collection` released to `principal`,
  // oldest date_added first (a version standing in for a withheld one takes the withheld
  // entry's place). Errors: the store's, or the policy's when a marking or the organisations
  // cannot be read (nothing is released then). REQUIRES: request.limit in 1..kMaxPageLimit.
  absl::StatusOr<store::Page> Read(const identity::Principal& principal, const store::Collection& collection,
                                   const ReadTarget& target, store::PageRequest request,
                                   size_t max_entries_read = kMaxEntriesRead);

  // As Read, into `page`: the buffers of the objects already in it are reused for the first
  // store page read, so that a caller paging through a whole collection with the same Page
  // (an export) allocates per page, not per entry. On error `page` is unspecified.
  absl::Status ReadInto(const identity::Principal& principal, const store::Collection& collection,
                        const ReadTarget& target, store::PageRequest request, store::Page& page,
                        size_t max_entries_read = kMaxEntriesRead);

 private:
  absl::Status ReadStore(const store::Collection& collection, const ReadTarget& target,
                         const store::PageRequest& request, store::Page& page);
  // Filters one store page; `positions` receives each kept entry's place in the store's order.
  absl::Status FilterPage(const identity::Principal& principal, const store::Collection& collection,
                          const ReadTarget& target, const store::ObjectFilter& filter,
                          std::vector<store::StoredObject>& objects, std::vector<int64_t>& positions);

  store::Store& store_;
  Policy& policy_;
};

}  // namespace kizuna::policy
