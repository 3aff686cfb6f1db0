// Kizuna.
#include "kizuna/detect/match_run.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <thread>

#include "kizuna/base/json_string.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/alerts.h"
#include "kizuna/detect/matcher.h"

namespace kizuna::detect {

struct MatchRun::Input {
  Input(std::string p, std::unique_ptr<TelemetryReader> r, const CorrelationOptions& c)
      : path(std::move(p)), reader(std::move(r)), correlator(c) {}

  const std::string path;
  int workers = 0;  // guarded by MatchRun::mutex_
  std::atomic<bool> exhausted{false};

  std::mutex read_mutex;  // guards reader's NextBlock
  std::unique_ptr<TelemetryReader> reader;

  // The correlation candidates of a block matched before an earlier one was.
  struct Waiting {
    std::shared_ptr<const Snapshot> snapshot;
    std::vector<CorrelationCandidate> candidates;
  };
  std::mutex order_mutex;  // guards everything below
  uint64_t next_sequence = 0;
  std::map<uint64_t, Waiting> waiting;
  Correlator correlator;
};

struct MatchRun::Worker {
  explicit Worker(int64_t window_us) : sightings(window_us) {}
  SightingAggregator sightings;
  BatchMatcher matcher;
  LineBlock block;
  RecordBatch batch;
  std::vector<Match> matches;
  std::vector<CorrelationCandidate> candidates;
  std::vector<CorrelationHit> hits;
  std::vector<uint32_t> untimed;  // records of the block that matched without an event time
  std::string alerts;
  absl::flat_hash_map<Uuid, uint64_t> hit_counts;  // per indicator
};

namespace {

// Bytes of an unusable time field shown in a problem.
constexpr size_t kShownTimeBytes = 40;

// Why record `r`, which matched, makes no sighting.
std::string NoTimeReason(const Record& r) {
  if (r.bad_time.empty()) return "no event time: no sighting made";
  return StrCat("event time ", JsonString(r.bad_time.substr(0, kShownTimeBytes)),
                " is not a time: no sighting made");
}

// The `count` indicators of `hits` with the most hits, most first, ties by id.
std::vector<IndicatorHits> TopIndicators(const absl::flat_hash_map<Uuid, uint64_t>& hits,
                                         size_t count) {
  std::vector<IndicatorHits> all;
  all.reserve(hits.size());
  for (const auto& [indicator, n] : hits) all.push_back({indicator, n});
  const auto more = [](const IndicatorHits& a, const IndicatorHits& b) {
    return a.hits != b.hits ? a.hits > b.hits : a.indicator < b.indicator;
  };
  const size_t kept = std::min(count, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(kept), all.end(), more);
  all.resize(kept);
  return all;
}

}  // namespace

MatchRun::MatchRun(const LiveSnapshot& live, MatchOptions options, AlertSink sink)
    : live_(live),
      options_(std::move(options)),
      sink_(std::move(sink)),
      sightings_(options_.sighting_window_us) {}

void MatchRun::Problem(std::string text) {
  // REQUIRES: mutex_ held.
  if (summary_.problems.size() < options_.max_problems) summary_.problems.push_back(std::move(text));
}

uint64_t MatchRun::Correlate(Input& input, uint64_t sequence,
                             std::shared_ptr<const Snapshot> snapshot, Worker& w,
                             absl::Status& error) {
  std::lock_guard<std::mutex> lock(input.order_mutex);
  if (w.candidates.empty() && sequence == input.next_sequence && input.waiting.empty()) {
    ++input.next_sequence;
    return 0;
  }
  input.waiting.emplace(sequence, Input::Waiting{std::move(snapshot), std::move(w.candidates)});
  w.candidates.clear();
  uint64_t made = 0;
  while (!input.waiting.empty() && input.waiting.begin()->first == input.next_sequence) {
    Input::Waiting block = std::move(input.waiting.begin()->second);
    input.waiting.erase(input.waiting.begin());
    ++input.next_sequence;
    w.hits.clear();
    for (CorrelationCandidate& c : block.candidates) {
      absl::Status st = input.correlator.Add(block.snapshot, std::move(c.event), c.patterns, w.hits);
      if (!st.ok() && error.ok()) error = st;
    }
    for (const CorrelationHit& hit : w.hits) {
      const Uuid& uuid = block.snapshot->IndicatorUuid(hit.indicator);
      w.sightings.Add(uuid, hit.trigger->time_us);
      ++w.hit_counts[uuid];
      if (sink_) AppendCorrelationAlert(*block.snapshot, hit, input.path, options_.details, w.alerts);
    }
    made += w.hits.size();
  }
  return made;
}

void MatchRun::MatchBlock(Input& input, std::shared_ptr<const Snapshot> snapshot, Worker& w) {
  const RecordBatch& batch = w.batch;
  w.matches.clear();
  w.alerts.clear();
  w.untimed.clear();
  absl::Status st = w.matcher.MatchBatch(*snapshot, batch, w.matches);
  uint64_t alert_count = 0;
  for (size_t i = 0; i < w.matches.size();) {
    size_t j = i;
    while (j < w.matches.size() && w.matches[j].record == w.matches[i].record) ++j;
    const Record& r = batch.records[w.matches[i].record];
    ++alert_count;
    if (!r.has_time) w.untimed.push_back(w.matches[i].record);
    for (size_t k = i; k < j; ++k) {
      const Uuid& uuid = snapshot->IndicatorUuid(w.matches[k].indicator);
      ++w.hit_counts[uuid];
      if (r.has_time) w.sightings.Add(uuid, r.time_us);
    }
    if (sink_) {
      AppendAlert(*snapshot, batch, r, std::span<const Match>(w.matches.data() + i, j - i),
                  input.path, options_.details, w.alerts);
    }
    i = j;
  }
  w.candidates.clear();
  absl::Status correlation_st =
      w.matcher.FindCorrelationEvents(*snapshot, batch, w.candidates, w.untimed);
  std::sort(w.untimed.begin(), w.untimed.end());
  w.untimed.erase(std::unique(w.untimed.begin(), w.untimed.end()), w.untimed.end());
  const uint64_t correlations =
      Correlate(input, w.block.sequence, std::move(snapshot), w, correlation_st);

  std::lock_guard<std::mutex> lock(mutex_);
  for (const absl::Status& e : {st, correlation_st}) {
    if (e.ok()) continue;
    ++summary_.evaluator_errors;
    Problem(StrCat(input.path, ": ", View(e.message())));
  }
  summary_.records += batch.records.size();
  summary_.bytes += batch.bytes;
  summary_.malformed += batch.malformed + w.untimed.size();
  summary_.alerts += alert_count + correlations;
  summary_.matches += w.matches.size() + correlations;
  summary_.correlations += correlations;
  for (const Malformed& m : batch.malformed_kept) {
    Problem(StrCat(input.path, ":", m.line, ": ", m.reason));
  }
  for (uint32_t record : w.untimed) {
    const Record& r = batch.records[record];
    Problem(StrCat(input.path, ":", r.line, ": ", NoTimeReason(r)));
  }
  if (sink_ && !w.alerts.empty()) sink_(w.alerts);
}

void MatchRun::MatchInput(Input& input, Worker& w) {
  const std::unique_ptr<LineParser> parser = input.reader->NewParser();
  while (true) {
    std::shared_ptr<const Snapshot> snapshot;
    {
      std::lock_guard<std::mutex> lock(input.read_mutex);
      if (input.exhausted || !input.reader->NextBlock(w.block)) {
        input.exhausted = true;
        return;
      }
      // Loaded with the block, so an input's blocks see snapshots in publication order.
      snapshot = live_.Load();
    }
    parser->Parse(w.block, w.batch);
    MatchBlock(input, std::move(snapshot), w);
  }
}

std::shared_ptr<MatchRun::Input> MatchRun::Acquire() {
  while (true) {
    Source source;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      // An input being opened may be the one to join: wait for it.
      opened_.wait(lock, [this] { return next_input_ < inputs_.size() || opening_ == 0; });
      if (next_input_ >= inputs_.size()) {
        std::shared_ptr<Input> best;
        for (const std::shared_ptr<Input>& in : open_) {
          if (!in->exhausted && (best == nullptr || in->workers < best->workers)) best = in;
        }
        if (best != nullptr) ++best->workers;
        return best;
      }
      source = inputs_[next_input_++];
      ++summary_.inputs;
      ++opening_;
    }
    const std::string& path = source.path;
    absl::StatusOr<std::unique_ptr<TelemetryReader>> reader;
    if (source.text) {
      reader = OpenTelemetryText(path, *source.text, options_.format, options_.reader);
    } else {
      reader = OpenTelemetry(path, options_.format, options_.reader);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    --opening_;
    opened_.notify_all();
    if (!reader.ok()) {
      ++summary_.input_errors;
      Problem(std::string(View(reader.status().message())));
      continue;
    }
    if (options_.resume_lines != nullptr) {
      auto resume = options_.resume_lines->find(path);
      if (resume != options_.resume_lines->end()) (*reader)->SkipThrough(resume->second);
    }
    auto input = std::make_shared<Input>(path, std::move(*reader), options_.correlation);
    if (options_.resume_pending != nullptr) {
      auto pending = options_.resume_pending->find(path);
      if (pending != options_.resume_pending->end())
        input->correlator.Restore(live_.Load(), pending->second);
    }
    input->workers = 1;
    open_.push_back(input);
    return input;
  }
}

void MatchRun::Release(const std::shared_ptr<Input>& input) {
  std::lock_guard<std::mutex> lock(mutex_);
  // Workers leave an input once it is exhausted; the last one to leave reports on it.
  if (--input->workers > 0) return;
  open_.erase(std::find(open_.begin(), open_.end(), input));
  progress_[input->path] = {input->reader->lines(), input->reader->bytes()};
  if (std::vector<PendingEvents> pending = input->correlator.Pending(); !pending.empty()) {
    pending_[input->path] = std::move(pending);
  }
  summary_.correlation_dropped += input->correlator.dropped();
  summary_.correlation_late += input->correlator.late();
  if (!input->reader->error().empty()) {
    ++summary_.input_errors;
    Problem(StrCat(input->path, ": ", input->reader->error()));
  }
}

void MatchRun::Work() {
  Worker w(options_.sighting_window_us);
  while (std::shared_ptr<Input> input = Acquire()) {
    MatchInput(*input, w);
    Release(input);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  sightings_.Merge(w.sightings);
  for (const auto& [indicator, n] : w.hit_counts) hits_[indicator] += n;
}

void MatchRun::Run(const std::vector<std::string>& inputs) {
  std::vector<Source> sources;
  sources.reserve(inputs.size());
  for (const std::string& path : inputs) sources.push_back({path, std::nullopt});
  RunSources(std::move(sources));
}

void MatchRun::RunTexts(const std::vector<TextInput>& inputs) {
  std::vector<Source> sources;
  sources.reserve(inputs.size());
  for (const TextInput& in : inputs) sources.push_back({in.name, in.text});
  RunSources(std::move(sources));
}

void MatchRun::RunSources(std::vector<Source> inputs) {
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [start] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  inputs_ = std::move(inputs);
  next_input_ = 0;
  const int threads = std::max(1, options_.threads);
  std::vector<std::thread> workers;
  std::mutex done_mutex;
  std::condition_variable done_cv;
  int running = threads;
  const auto work = [&] {
    Work();
    std::lock_guard<std::mutex> lock(done_mutex);
    --running;
    done_cv.notify_all();
  };
  // Without progress to report, this thread is one of the workers (no thread started for a
  // run on one thread: a bus worker runs one per batch).
  for (int i = on_progress ? 0 : 1; i < threads; ++i) workers.emplace_back(work);
  if (!on_progress) work();
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
  summary_.top_indicators = TopIndicators(hits_, options_.top_indicators);
  summary_.seconds = elapsed();
}

}  // namespace kizuna::detect
