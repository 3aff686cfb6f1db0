// Kizuna. CheckRun: the timer, progress and problems of the check's steps.
#include "kizuna/store/check_run.h"

#include "kizuna/base/strings.h"

namespace kizuna::store {

CheckStep CheckRun::Begin(std::string_view name, int64_t total) {
  started_us_ = clock_.NowMicros();
  last_permille_ = -1;
  total_ = total;
  Progress(name, 0, total);
  CheckStep step;
  step.name = std::string(name);
  return step;
}

CheckStep CheckRun::End(CheckStep step) {
  step.elapsed_ms = (clock_.NowMicros() - started_us_) / 1000;
  if (step.complete) Progress(step.name, total_, total_);
  return step;
}

void CheckRun::Progress(std::string_view step, int64_t done, int64_t total) {
  if (!options_.progress) return;
  int64_t permille = total > 0 ? done * 1000 / total : 0;
  if (permille == last_permille_ && done != total) return;
  last_permille_ = permille;
  options_.progress({step, done, total});
}

CheckStep CheckRun::Fail(CheckStep step, const absl::Status& error) {
  step.complete = false;
  step.note = StrCat("stopped: ", View(error.message()));
  Add(step, "", StrCat("the step could not finish: ", View(error.message())));
  return End(std::move(step));
}

CheckStep CheckRun::Run(std::string_view name, int64_t total,
                        absl::FunctionRef<absl::Status(CheckStep&)> body) {
  CheckStep step = Begin(name, total);
  absl::Status status = body(step);
  if (!status.ok()) return Fail(std::move(step), status);
  return End(std::move(step));
}

}  // namespace kizuna::store
