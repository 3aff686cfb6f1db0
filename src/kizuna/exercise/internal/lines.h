// Kizuna. Walking the lines of a text in memory (truth files, alert files).
#pragma once

// Thread-safety: stateless.

#include <cstdint>
#include <cstring>
#include <string_view>

#include "absl/status/status.h"

namespace kizuna::exercise_internal {

// Calls `fn(line_number, line)` (1-based, without the newline) for each non-empty line of
// `text`; returns the first error `fn` returns, else OK.
template <typename F>
absl::Status ForEachLine(std::string_view text, F fn) {
  uint64_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const void* nl = std::memchr(text.data(), '\n', text.size());
    size_t len = nl == nullptr ? text.size()
                               : static_cast<size_t>(static_cast<const char*>(nl) - text.data());
    std::string_view line = text.substr(0, len);
    text.remove_prefix(nl == nullptr ? len : len + 1);
    if (line.empty()) continue;
    absl::Status status = fn(line_no, line);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace kizuna::exercise_internal
