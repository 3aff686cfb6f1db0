// Kizuna.
#include "kizuna/sync/feed_runner.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "kizuna/base/strings.h"

namespace kizuna::sync {

int64_t NextRunUs(const store::Feed& feed, int64_t min_backoff_us) {
  if (!feed.last_run_us) return 0;
  int64_t delay = feed.every_us;
  if (feed.failures > 0) {
    delay = min_backoff_us;
    for (int i = 1; i < feed.failures && delay < feed.every_us; ++i) delay *= 2;
    delay = std::min(delay, feed.every_us);
  }
  return *feed.last_run_us + delay;
}

std::string FeedMetricsText(const std::vector<store::Feed>& feeds) {
  if (feeds.empty()) return {};
  struct Series {
    std::string_view name, type, help;
    int64_t (*value)(const store::Feed&);
  };
  static constexpr Series kSeries[] = {
      {"kizuna_feed_runs_total", "counter", "Runs of the feed", [](const store::Feed& f) { return f.runs; }},
      {"kizuna_feed_not_modified_total", "counter", "Runs answered 304 Not Modified",
       [](const store::Feed& f) { return f.not_modified; }},
      {"kizuna_feed_objects_new_total", "counter", "Objects added that the node did not hold",
       [](const store::Feed& f) { return f.new_objects; }},
      {"kizuna_feed_objects_updated_total", "counter", "New versions of objects the node held",
       [](const store::Feed& f) { return f.updated_objects; }},
      {"kizuna_feed_objects_rejected_total", "counter", "Objects or values refused or invalid",
       [](const store::Feed& f) { return f.rejected_objects; }},
      {"kizuna_feed_failures", "gauge", "Consecutive failed runs",
       [](const store::Feed& f) { return static_cast<int64_t>(f.failures); }},
      {"kizuna_feed_last_success_seconds", "gauge", "Time of the last successful run (0: none)",
       [](const store::Feed& f) { return f.last_success_us.value_or(0) / 1'000'000; }},
  };
  std::string out;
  for (const Series& s : kSeries) {
    StrAppend(out, "# HELP ", s.name, " ", s.help, "\n# TYPE ", s.name, " ", s.type, "\n");
    for (const store::Feed& f : feeds) StrAppend(out, s.name, "{feed=\"", f.name, "\"} ", s.value(f), "\n");
  }
  return out;
}

FeedRunner::FeedRunner(store::Database& db, MayWrite may_write, Clock& clock, FeedRunnerOptions options)
    : db_(db), may_write_(std::move(may_write)), clock_(clock), options_(options) {}

FeedRunner::~FeedRunner() { Stop(); }

void FeedRunner::Start() { thread_ = std::thread([this] { Loop(); }); }

void FeedRunner::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void FeedRunner::Loop() {
  for (;;) {
    Pass();
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::microseconds(options_.poll_interval_us), [this] { return stop_; });
    if (stop_) return;
  }
}

void FeedRunner::Pass() {
  // Another process runs the feeds (or the store cannot be reached): look again later.
  // The runs are recorded under this lead's epoch only (a lead lost and taken again since
  // records none of them).
  absl::StatusOr<std::optional<int64_t>> lead =
      options_.lead ? options_.lead() : db_.LeadFederationEpoch();
  if (!lead.ok() || !lead->has_value()) return;
  absl::StatusOr<std::vector<store::Feed>> feeds = store::FeedsOf(db_).ListFeeds();
  if (!feeds.ok()) return;  // the store is unavailable: try again on the next look
  for (const store::Feed& feed : *feeds) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
    }
    if (clock_.NowMicros() < NextRunUs(feed, options_.min_backoff_us)) continue;
    // A run that cannot be recorded (the feed removed meanwhile, the store failing) is
    // retried on the next look.
    (void)RunFeed(db_, feed, may_write_, clock_, **lead);
  }
}

}  // namespace kizuna::sync
