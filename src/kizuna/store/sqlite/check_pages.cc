// Kizuna. The check's "sqlite" step: SQLite's own check of every page.
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

#include "kizuna/base/strings.h"
#include "kizuna/store/sqlite/check_steps.h"

namespace kizuna::store::sqlite_internal {
namespace {

constexpr std::string_view kPagesStep = "sqlite";
// Virtual machine steps between two calls of the progress handler, which notes the pages read.
constexpr int kStepsPerProgressCall = 1000;
// How often the ticker reports progress and looks at the clock.
constexpr absl::Duration kTick = absl::Milliseconds(200);
// What SQLite puts before the first problem of a database.
constexpr std::string_view kDatabaseHeading = "*** in database main ***\n";

// Pages read so far: the connection's page cache misses (the check reads each page about once).
int64_t PagesRead(sqlite3* db) {
  int current = 0, highest = 0;
  sqlite3_db_status(db, SQLITE_DBSTATUS_CACHE_MISS, &current, &highest, 0);
  return current;
}

// While the pragma runs: reports its progress and interrupts it at the deadline, from a thread
// of its own. SQLite walks every b-tree in one step of its program, during which it calls no
// progress handler, so only another thread can stop that walk (sqlite3_interrupt) or tell
// that it goes on. The progress handler, on the checking thread, notes the pages read between
// steps, and ends the pragma there too when the deadline has passed.
class Ticker {
 public:
  Ticker(CheckContext& c, int64_t pages, int64_t deadline_us)
      : c_(c), pages_(pages), deadline_us_(deadline_us) {
    sqlite3_progress_handler(c_.db().handle(), kStepsPerProgressCall, OnProgress, this);
    if (deadline_us_ > 0 || c_.options().progress) thread_ = std::thread([this] { Run(); });
  }
  ~Ticker() { Stop(); }
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

  void Stop() {
    if (!stop_.HasBeenNotified()) stop_.Notify();
    if (thread_.joinable()) thread_.join();
    sqlite3_progress_handler(c_.db().handle(), 0, nullptr, nullptr);
  }
  // Whether it interrupted the pragma. REQUIRES: Stop() was called.
  bool Fired() const { return fired_.load(); }

 private:
  bool Expired() { return deadline_us_ > 0 && c_.clock().NowMicros() >= deadline_us_; }

  // Between steps of the pragma: notes the pages read, and ends the pragma at the deadline.
  static int OnProgress(void* arg) {
    auto* t = static_cast<Ticker*>(arg);
    t->read_.store(std::min(PagesRead(t->c_.db().handle()), t->pages_), std::memory_order_relaxed);
    if (!t->Expired()) return 0;
    t->fired_.store(true);
    return 1;
  }

  void Run() {
    while (!stop_.WaitForNotificationWithTimeout(kTick)) {
      if (Expired()) {
        fired_.store(true);
        sqlite3_interrupt(c_.db().handle());
        return;
      }
      if (c_.options().progress) {
        c_.options().progress({kPagesStep, read_.load(std::memory_order_relaxed), pages_});
      }
    }
  }

  CheckContext& c_;
  const int64_t pages_, deadline_us_;
  std::atomic<int64_t> read_{0};
  std::atomic<bool> fired_{false};
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace

CheckStep CheckPages(CheckContext& c, int64_t pages) {
  CheckStep step = c.Begin(kPagesStep, pages);
  const bool quick = c.options().level == CheckLevel::kQuick;
  step.note = quick ? "PRAGMA quick_check" : "PRAGMA integrity_check";
  const int64_t read_before = PagesRead(c.db().handle());
  // Asks for one line more than are kept, to tell when there were more.
  absl::StatusOr<Statement*> st =
      c.db().Cached(StrCat("PRAGMA ", quick ? "quick_check" : "integrity_check", "(",
                           c.options().max_problems_per_step + 1, ")"));
  absl::Status error = st.status();
  Ticker ticker(c, pages,
                c.options().time_budget_ms > 0
                    ? c.clock().NowMicros() + c.options().time_budget_ms * 1000
                    : 0);
  while (error.ok()) {
    absl::StatusOr<bool> row = (*st)->Step();
    if (!row.ok()) error = row.status();
    if (!row.ok() || !*row) break;
    std::string_view line = (*st)->Text(0);
    if (line.starts_with(kDatabaseHeading)) line.remove_prefix(kDatabaseHeading.size());
    if (line != "ok") c.Add(step, "", std::string(line));
  }
  if (st.ok()) (*st)->Reset();
  ticker.Stop();
  step.checked = std::min(pages, PagesRead(c.db().handle()) - read_before);
  if (!error.ok() && ticker.Fired()) {
    step.complete = false;
    step.note = StrCat(step.note, ": stopped after its time budget of ", c.options().time_budget_ms,
                       " ms, having read ", step.checked, " of ", pages, " pages");
    return c.End(std::move(step));
  }
  if (!error.ok()) return c.Fail(std::move(step), error);
  if (step.problem_count > static_cast<int64_t>(c.options().max_problems_per_step)) {
    step.note = StrCat(step.note, ": more problems than listed");
  }
  step.checked = pages;
  return c.End(std::move(step));
}

}  // namespace kizuna::store::sqlite_internal
