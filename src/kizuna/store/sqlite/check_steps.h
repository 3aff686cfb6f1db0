// Kizuna. The steps of CheckDataDir (store/check.h) on an SQLite database; not for other
// modules.
#pragma once

// Each step reads through `db`, a read-only connection, and returns what it found; none
// writes. A step that meets an SQLite error reports it as a problem and ends.
// Thread-safety: a context and its connection belong to one thread.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "kizuna/base/clock.h"
#include "kizuna/store/check.h"
#include "kizuna/store/sqlite/connection.h"

namespace kizuna::store::sqlite_internal {

// What every step gets.
class CheckContext {
 public:
  CheckContext(Connection& db, const CheckOptions& options, Clock& clock)
      : db_(db), options_(options), clock_(clock) {}

  Connection& db() { return db_; }
  const CheckOptions& options() const { return options_; }
  Clock& clock() { return clock_; }

  // Starts step `name`: its timer, and progress from 0 of `total`.
  CheckStep Begin(std::string_view name, int64_t total);
  // Ends `step`: its time, and progress to its end.
  CheckStep End(CheckStep step);
  // Calls the progress callback when `done` has moved on by a thousandth of `total`.
  void Progress(std::string_view step, int64_t done, int64_t total);
  // Counts a problem of `step` (keeping the first ones).
  void Add(CheckStep& step, std::string where, std::string what) const {
    step.Add(std::move(where), std::move(what), options_.max_problems_per_step);
  }
  // Ends `step` as incomplete because of `error`, which is also a problem.
  CheckStep Fail(CheckStep step, const absl::Status& error);
  // Runs step `name` of `total` units: Begin, `body`, then End, or Fail with its error.
  CheckStep Run(std::string_view name, int64_t total,
                absl::FunctionRef<absl::Status(CheckStep&)> body);

 private:
  Connection& db_;
  const CheckOptions& options_;
  Clock& clock_;
  int64_t started_us_ = 0;
  int64_t last_permille_ = -1;
  int64_t total_ = 0;
};

// "sqlite": PRAGMA integrity_check or quick_check over the database's `pages` pages, within
// the options' time budget.
CheckStep CheckPages(CheckContext& c, int64_t pages);

// "entries": the version flags of every entry.
CheckStep CheckEntryFlags(CheckContext& c);

// "ids": id hashes and the id runs against the entries.
CheckStep CheckEntryIds(CheckContext& c);

// "marking-definitions": one content per marking definition id.
CheckStep CheckMarkingDefinitions(CheckContext& c);

// "peer-tokens": none in clear, each opens with the key in the file `key_path`.
CheckStep CheckPeerTokens(CheckContext& c, const std::string& key_path);

}  // namespace kizuna::store::sqlite_internal
