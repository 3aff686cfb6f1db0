// Kizuna.
#include "kizuna/store/pull_cursor.h"

#include "kizuna/base/strings.h"

namespace kizuna::store {

absl::Status CheckPullCursor(std::string_view collection_id, const PullBatch& pull,
                             const std::optional<std::string>& stored) {
  if (!stored.has_value()) {
    return absl::NotFoundError(StrCat("peer '", pull.peer, "' has no mapping of collection '",
                                      collection_id, "' to '", pull.remote_collection, "'"));
  }
  if (*stored == pull.after) return absl::OkStatus();
  return absl::AbortedError(
      StrCat("the pull cursor of peer '", pull.peer, "' (collection '", collection_id, "' from '",
             pull.remote_collection, "') moved from '", pull.after, "' to '", *stored,
             "' since this page was asked for (another pass pulled it): the page is not stored"));
}

}  // namespace kizuna::store
