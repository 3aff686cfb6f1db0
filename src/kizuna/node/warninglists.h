// Kizuna. The warninglists search marks values as common by: the node's stored allowlists
// (<data-dir>/allowlists/, `kizuna allowlist add`), the same files `kizuna match` reads.
#pragma once

// Both the node (for the JSON API) and the search commands build their search::Searcher
// with ListedIn over lists loaded by LoadStoredWarninglists, so a value is common in the
// same cases whichever way it is asked.
//
// Thread-safety: the lists must be loaded (Finish called) before ListedIn is used; from then
// on the function is safe to call concurrently.

#include <string>

#include "absl/status/status.h"
#include "kizuna/detect/allowlist.h"
#include "kizuna/search/searcher.h"

namespace kizuna::node {

// Loads the lists stored in `data_dir`'s allowlists folder into `lists` and finishes it.
absl::Status LoadStoredWarninglists(const std::string& data_dir, detect::Allowlist& lists);

// A Searcher::ListedFn answering the name of the list of `lists` that lists a normalised
// value (as the detection engine would see it in an indicator's comparison), or "".
// `lists` must outlive the function.
search::Searcher::ListedFn ListedIn(const detect::Allowlist& lists);

}  // namespace kizuna::node
