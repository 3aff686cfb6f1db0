// Kizuna. Assertions for programmer errors only; never for anything input can trigger.
#pragma once

// KZ_ASSERT(cond): checked in debug builds only, for invariants.
// KZ_CHECK(cond): always checked, for states the program cannot recover from.
// Both abort with the file, line and condition. Thread-safety: stateless.

namespace kizuna::base_internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* condition);
}  // namespace kizuna::base_internal

#define KZ_CHECK(cond) \
  ((cond) ? static_cast<void>(0) : ::kizuna::base_internal::CheckFailed(__FILE__, __LINE__, #cond))

#ifdef NDEBUG
#define KZ_ASSERT(cond) static_cast<void>(0)
#else
#define KZ_ASSERT(cond) KZ_CHECK(cond)
#endif
