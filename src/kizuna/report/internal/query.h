// Kizuna. Running the brief's aggregate queries: bind integers, visit each row.
#pragma once

// Thread-safety: as the connection (one thread).

#include <cstdint>
#include <initializer_list>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "kizuna/base/status.h"
#include "kizuna/store/sqlite/connection.h"

namespace kizuna::report_internal {

// Runs `sql` (prepared once per connection) with `binds` as parameters 1..n and calls
// `row` for each result row. Returns the connection's error, or the first error `row` returns.
inline absl::Status ForEachRow(store::Connection& conn, const std::string& sql, std::initializer_list<int64_t> binds,
                               absl::FunctionRef<absl::Status(const store::Statement&)> row) {
  KZ_ASSIGN_OR_RETURN(store::Statement * stmt, conn.Cached(sql));
  int i = 0;
  for (int64_t b : binds) stmt->Bind(++i, b);
  absl::Status status;
  for (;;) {
    absl::StatusOr<bool> more = stmt->Step();
    if (!more.ok() || !*more) {
      status = more.status();
      break;
    }
    status = row(*stmt);
    if (!status.ok()) break;
  }
  stmt->Reset();
  return status;
}

}  // namespace kizuna::report_internal
