// Kizuna. Whether a pulled batch continues from its mapping's pull cursor: the same rule and
// errors for every store; not for other modules.
#pragma once

// Thread-safety: a pure function.

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "kizuna/store/store.h"

namespace kizuna::store {

// OK when the mapping of `collection_id` to `pull.remote_collection` of peer `pull.peer`, whose
// pull cursor is `stored` (nullopt: there is no such mapping), may take batch `pull`: its
// cursor is still `pull.after`. NotFound when there is no mapping; Aborted, naming the
// mapping and both cursors, when another pass moved the cursor since the page was asked for
// (the batch must then store nothing: its pages were pulled already, or are to be from the
// cursor stored).
absl::Status CheckPullCursor(std::string_view collection_id, const PullBatch& pull,
                             const std::optional<std::string>& stored);

}  // namespace kizuna::store
