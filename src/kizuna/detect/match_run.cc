// Kizuna.
#include "kizuna/detect/match_run.h"

#include <chrono>
#include <condition_variable>
#include <thread>

#include "kizuna/base/strings.h"
#include "kizuna/detect/alerts.h"
#include "kizuna/detect/correlator.h"
#include "kizuna/detect/matcher.h"

namespace kizuna::detect {

MatchRun::MatchRun(const LiveSnapshot& live, MatchOptions options, AlertSink sink)
    : live_(live),
      options_(std::move(options)),
      sink_(std::move(sink)),
      sightings_(options_.sighting_window_us) {}

void MatchRun::Problem(std::string text) {
  // REQUIRES: mutex_ held.
  if (summary_.problems.size() < options_.max_problems) summary_.problems.push_back(std::move(text));
}

void MatchRun::MatchInput(const std::string& path, SightingAggregator& sightings) {
  absl::StatusOr<std::unique_ptr<TelemetryReader>> reader =
      OpenTelemetry(path, options_.format, options_.reader);
  if (!reader.ok()) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++summary_.input_errors;
    Problem(std::string(View(reader.status().message())));
    return;
  }
  Clock& clock = options_.clock != nullptr ? *options_.clock : SystemClock();
  RecordBatch batch;
  BatchMatcher matcher;
  Correlator correlator(options_.correlation);
  std::vector<Match> matches;
  std::vector<CorrelationCandidate> candidates;
  std::vector<CorrelationHit> hits;
  std::string alerts;
  while ((*reader)->Next(batch)) {
    const std::shared_ptr<const Snapshot> snapshot = live_.Load();
    matches.clear();
    alerts.clear();
    absl::Status st = matcher.MatchBatch(*snapshot, batch, matches);
    uint64_t alert_count = 0;
    const int64_t now = clock.NowMicros();
    for (size_t i = 0; i < matches.size();) {
      size_t j = i;
      while (j < matches.size() && matches[j].record == matches[i].record) ++j;
      const Record& r = batch.records[matches[i].record];
      ++alert_count;
      for (size_t k = i; k < j; ++k) {
        sightings.Add(snapshot->IndicatorUuid(matches[k].indicator), r.has_time ? r.time_us : now);
      }
      if (sink_) {
        AppendAlert(*snapshot, batch, r, std::span<const Match>(matches.data() + i, j - i), path,
                    alerts);
      }
      i = j;
    }
    candidates.clear();
    hits.clear();
    absl::Status correlation_st = matcher.FindCorrelationEvents(*snapshot, batch, now, candidates);
    for (CorrelationCandidate& c : candidates) {
      absl::Status add_st = correlator.Add(snapshot, std::move(c.event), c.patterns, hits);
      if (correlation_st.ok()) correlation_st = add_st;
    }
    for (const CorrelationHit& hit : hits) {
      sightings.Add(snapshot->IndicatorUuid(hit.indicator), hit.trigger->time_us);
      if (sink_) AppendCorrelationAlert(*snapshot, hit, path, alerts);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    for (const absl::Status& e : {st, correlation_st}) {
      if (e.ok()) continue;
      ++summary_.evaluator_errors;
      Problem(StrCat(path, ": ", View(e.message())));
    }
    summary_.records += batch.records.size();
    summary_.bytes += batch.bytes;
    summary_.malformed += batch.malformed;
    summary_.alerts += alert_count + hits.size();
    summary_.matches += matches.size() + hits.size();
    summary_.correlations += hits.size();
    for (const Malformed& m : batch.malformed_kept) Problem(StrCat(path, ":", m.line, ": ", m.reason));
    if (sink_ && !alerts.empty()) sink_(alerts);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  summary_.correlation_dropped += correlator.dropped();
  summary_.correlation_late += correlator.late();
  if (!(*reader)->error().empty()) {
    ++summary_.input_errors;
    Problem(StrCat(path, ": ", (*reader)->error()));
  }
}

void MatchRun::Worker() {
  SightingAggregator sightings(options_.sighting_window_us);
  while (true) {
    std::string path;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (next_input_ >= inputs_.size()) break;
      path = inputs_[next_input_++];
      ++summary_.inputs;
    }
    MatchInput(path, sightings);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  sightings_.Merge(sightings);
}

void MatchRun::Run(const std::vector<std::string>& inputs) {
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [start] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  inputs_ = inputs;
  next_input_ = 0;
  const int threads = std::max(1, std::min<int>(options_.threads, static_cast<int>(inputs.size())));
  std::vector<std::thread> workers;
  std::mutex done_mutex;
  std::condition_variable done_cv;
  int running = threads;
  for (int i = 0; i < threads; ++i) {
    workers.emplace_back([&] {
      Worker();
      std::lock_guard<std::mutex> lock(done_mutex);
      --running;
      done_cv.notify_all();
    });
  }
  if (on_progress) {
    std::unique_lock<std::mutex> lock(done_mutex);
    while (running > 0) {
      done_cv.wait_for(lock, std::chrono::milliseconds(progress_interval_ms));
      MatchSummary copy;
      {
        std::lock_guard<std::mutex> summary_lock(mutex_);
        copy = summary_;
      }
      copy.seconds = elapsed();
      on_progress(copy);
    }
  }
  for (std::thread& t : workers) t.join();
  summary_.indicators_hit = sightings_.IndicatorCount();
  summary_.seconds = elapsed();
}

}  // namespace kizuna::detect
