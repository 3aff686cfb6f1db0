// Kizuna. Where `kizuna match` keeps its compiled-set files, and what stamps them.
#pragma once

// `kizuna match` compiles the indicators of its collections from the store, then writes the
// compiled snapshot to a compiled-set file (snapshot_file.h) in the data directory; the next
// run with the same inputs reads it back instead of compiling. CompiledSetInputs is
// everything the compilation depended on besides the time (which the file's validity times
// cover); its stamp is written in the file and must be equal for the file to be read:
//   reader               whose read of the store was compiled (the operator's local read)
//   collections          the collection ids, in the order compiled
//   exercise             whether exercise-marked indicators were compiled
//   store.id             the store's identity (Store::StoreId): a file compiled from one store
//                        is never read against another at the same path (a `kizuna store
//                        copy` is another store; a restored backup is the same store, whose
//                        random delete mark then differs)
//   store.last_date_added, store.entries_deleted   the store's marks read before the compile
//                        (CheckCompiledSetStamp: a delete since, by any process (the
//                        delete mark is random: compared for equality only), or an
//                        indicator entered in one of the collections since refuses the file;
//                        other writes, such as the run's own sightings, do not)
//   allowlists           whether the stored allowlists were loaded, the categories, and the
//                        content digest of every list loaded (Allowlist::content_digest)
// One file per selection (reader, collections, exercise): its name is the SHA-256 of
// those, so another selection never even opens it; a run with other marks or allowlists
// finds its selection's file stale and writes it again. Files are mode 0600 in a folder of
// mode 0700; PruneCompiledSets keeps the most recently written few.
//
// Thread-safety: stateless.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "kizuna/detect/reloader.h"

namespace kizuna::detect {

struct CompiledSetInputs {
  std::string reader = "operator";
  std::vector<std::string> collection_ids;
  bool exercise = false;
  int64_t store_id = 0;  // Store::StoreId
  StoreMarks marks;
  bool stored_allowlists = true;
  std::vector<std::string> allowlist_categories;
  uint64_t allowlist_digest = 0;
};

// The stamp: one `key=value` line per input (above).
std::string CompiledSetStamp(const CompiledSetInputs& inputs);

// Whether a file stamped `file_stamp` may be read by a run whose inputs, with the store's
// marks read now, are `now`: its stamp is `now`'s but for the marks; no entry was deleted
// since (EntriesDeleted is the same value: random, never ordered); and, when LastDateAdded moved,
// no indicator entered `now`'s collections since the file's mark (store::AddedSince, the rule the
// reloader follows: writes of sightings, reports or other collections' objects compile nothing).
// OK, or FailedPrecondition saying why not; the store's errors.
absl::Status CheckCompiledSetStamp(store::Store& store, const CompiledSetInputs& now,
                                   std::string_view file_stamp);

// `<dir>/<hex SHA-256 of the selection>.kzset`.
std::string CompiledSetPath(std::string_view dir, const CompiledSetInputs& inputs);

// Creates `dir` (mode 0700) when missing. Errors name it.
absl::Status MakeCompiledSetDir(const std::string& dir);

// Removes all but the `keep` most recently written .kzset files of `dir`, and temporary
// files left by writes that did not finish. Errors name the file.
absl::Status PruneCompiledSets(const std::string& dir, size_t keep);

}  // namespace kizuna::detect
