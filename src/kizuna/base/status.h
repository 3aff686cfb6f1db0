// Kizuna. Status helpers: the project's RETURN_IF_ERROR / ASSIGN_OR_RETURN macros.
#pragma once

// Expected failures are values: functions return absl::Status or absl::StatusOr<T>.
// Debian 12's Abseil predates absl/status/status_macros.h, so these macros live here.
//
//   absl::StatusOr<Bundle> ReadBundle(std::string_view path) {
//     KZ_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
//     KZ_RETURN_IF_ERROR(CheckSize(text));
//     return ParseBundle(text);
//   }
//
// Thread-safety: stateless.

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define KZ_INTERNAL_CONCAT_(a, b) a##b
#define KZ_INTERNAL_CONCAT(a, b) KZ_INTERNAL_CONCAT_(a, b)

// Evaluates `expr` (an absl::Status) and returns it from the current function if not OK.
#define KZ_RETURN_IF_ERROR(expr)                      \
  do {                                                \
    ::absl::Status kz_status_ = (expr);               \
    if (!kz_status_.ok()) return kz_status_;          \
  } while (false)

// Evaluates `expr` (an absl::StatusOr<T>); on error returns its status, otherwise moves the
// value into `lhs`, which may be a declaration (`auto x`) or an existing variable.
#define KZ_ASSIGN_OR_RETURN(lhs, expr) \
  KZ_INTERNAL_ASSIGN_OR_RETURN(KZ_INTERNAL_CONCAT(kz_statusor_, __LINE__), lhs, expr)

#define KZ_INTERNAL_ASSIGN_OR_RETURN(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return std::move(tmp).status();     \
  lhs = std::move(tmp).value()
