// Kizuna.
#include "kizuna/base/assert.h"

#include <cstdio>
#include <cstdlib>

namespace kizuna::base_internal {

void CheckFailed(const char* file, int line, const char* condition) {
  // A failed check is a bug in Kizuna, not bad input: report it and stop.
  std::fprintf(stderr, "kizuna: internal check failed at %s:%d: %s\n", file, line, condition);
  std::abort();
}

}  // namespace kizuna::base_internal
