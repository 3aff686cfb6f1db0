// Kizuna. The progress line of the search index's catch-up and rebuild, for the commands
// that run one (`kizuna index`, `kizuna import --index`, the search commands).
#pragma once

// Thread-safety: the callback writes to stderr; call it from one thread.

#include <cstdint>
#include <cstdio>

#include "kizuna/base/strings.h"

namespace kizuna::cli {

// "indexing: N of M entries" on stderr when `terminal` (StderrIsTerminal()); nothing else.
// Clear the line after the catch-up with "\r\033[K".
inline auto IndexingProgress(bool terminal) {
  return [terminal](int64_t done, int64_t total) {
    if (terminal)
      std::fputs(StrCat("\rindexing: ", done, " of ", total, " entries   ").c_str(), stderr);
  };
}

}  // namespace kizuna::cli
