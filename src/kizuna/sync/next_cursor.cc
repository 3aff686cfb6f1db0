// Kizuna.
#include "kizuna/sync/next_cursor.h"

#include "absl/status/statusor.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/timestamp.h"

namespace kizuna::sync {

absl::Status CheckNextCursor(std::string_view what, std::string_view last, std::string_view cursor,
                             size_t max_bytes) {
  absl::StatusOr<int64_t> date = stix::ParseMicros(last);
  if (last.size() > max_bytes || !date.ok()) {
    return absl::InvalidArgumentError(
        StrCat(what, ": X-TAXII-Date-Added-Last is not a timestamp: '", last.substr(0, 64), "'"));
  }
  if (absl::StatusOr<int64_t> asked = stix::ParseMicros(cursor); asked.ok() && *date < *asked) {
    return absl::InvalidArgumentError(StrCat(what, ": X-TAXII-Date-Added-Last '", last,
                                             "' is before the added_after asked for ('", cursor,
                                             "'): the page is not stored"));
  }
  return absl::OkStatus();
}

}  // namespace kizuna::sync
