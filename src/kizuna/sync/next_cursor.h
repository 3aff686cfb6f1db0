// Kizuna. Whether a TAXII page's X-TAXII-Date-Added-Last may become the next cursor of a pull
// (a peer's mapping, a taxii feed): the same rule for both.
#pragma once

// Thread-safety: a pure function.

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"

namespace kizuna::sync {

// OK when `last` is a timestamp of at most `max_bytes` (it goes into the next request and the
// stored state) and not before `cursor`, the added_after the page was asked with ("" for
// none): a page going back in time would move the cursor back and pull again what was deleted
// here since. InvalidArgument naming `what` and the dates otherwise.
absl::Status CheckNextCursor(std::string_view what, std::string_view last, std::string_view cursor,
                             size_t max_bytes);

}  // namespace kizuna::sync
