// Kizuna. What every step of CheckDataDir (check.h) shares, whatever the database: its options,
// clock, progress, problems and time; not for other modules.
#pragma once

// Thread-safety: a CheckRun belongs to one thread.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "kizuna/base/clock.h"
#include "kizuna/store/check.h"

namespace kizuna::store {

class CheckRun {
 public:
  CheckRun(const CheckOptions& options, Clock& clock) : options_(options), clock_(clock) {}

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
  const CheckOptions& options_;
  Clock& clock_;
  int64_t started_us_ = 0;
  int64_t last_permille_ = -1;
  int64_t total_ = 0;
};

}  // namespace kizuna::store
