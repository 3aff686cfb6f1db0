// Kizuna. The matcher worker (worker.h).
#include "kizuna/bus/worker.h"

#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include "kizuna/base/clock.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/bus/messages.h"
#include "kizuna/bus/prefetcher.h"

namespace kizuna::bus {
namespace {

constexpr size_t kMaxProblemsKept = 20;
// Reports sent and not yet answered by the stream, at most (each holds its batch).
constexpr size_t kMaxReportsInFlight = 8;
// How long the loop waits for a batch before looking at the set and the stop flag again.
constexpr int64_t kNextWaitMs = 250;

// The name a batch is read under: the input's base name (its log type), else "batch".
std::string BatchName(const std::optional<std::string>& input) {
  if (!input || input->empty() || input->size() > 200 || *input == "." || *input == ".." ||
      input->find('/') != std::string::npos || input->find('\0') != std::string::npos) {
    return "batch";
  }
  return *input;
}

int64_t HeaderNumber(const Message& msg, const char* key) {
  std::optional<std::string> v = msg.Header(key);
  int64_t n = 0;
  if (!v || v->empty() || v->size() > 18) return 0;
  for (char c : *v) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace

Worker::Worker(Bus& bus, WorkerOptions options, detect::MatchRun::AlertSink sink)
    : bus_(bus), options_(std::move(options)), sink_(std::move(sink)) {}

absl::Status Worker::CheckSet() {
  KZ_ASSIGN_OR_RETURN(std::optional<Message> head_msg,
                      bus_.GetLast(kIndicatorsStream, kSetHeadSubject));
  if (!head_msg) return absl::OkStatus();
  KZ_ASSIGN_OR_RETURN(SetHead head, DecodeSetHead(head_msg->data(), kSetHeadSubject));
  if (live_ != nullptr && head.version == version_) return absl::OkStatus();
  options_.compile.now_us = SystemClock().NowMicros();
  detect::IndicatorCompiler compiler(options_.compile);
  const std::string version = StrCat(head.version);
  for (int64_t i = 0; i < head.chunks; ++i) {
    const std::string subject = StrCat(kSetChunkPrefix, i);
    KZ_ASSIGN_OR_RETURN(std::optional<Message> chunk, bus_.GetLast(kIndicatorsStream, subject));
    if (!chunk || chunk->Header(kHeaderSetVersion) != version) {
      return absl::OkStatus();  // being replaced: read again at the next check
    }
    std::string_view lines = chunk->data();
    while (!lines.empty()) {
      const size_t nl = lines.find('\n');
      const std::string_view line = lines.substr(0, nl);
      if (!line.empty()) compiler.AddObject(line, subject);
      lines.remove_prefix(nl == std::string_view::npos ? lines.size() : nl + 1);
    }
  }
  KZ_ASSIGN_OR_RETURN(std::shared_ptr<const detect::Snapshot> snapshot,
                      std::move(compiler).Finish());
  const int64_t active = compiler.report().active;
  if (live_ == nullptr) {
    live_ = std::make_unique<detect::LiveSnapshot>(std::move(snapshot));
  } else {
    live_->Publish(std::move(snapshot));
  }
  version_ = head.version;
  window_s_ = head.window_s;
  ++summary_.sets;
  summary_.set_version = head.version;
  summary_.indicators = active;
  if (on_event) {
    on_event(StrCat("indicator set ", head.version, ": ", head.indicators, " indicators in ",
                    head.chunks, " chunk(s), sighting window ", head.window_s, " s"));
  }
  return absl::OkStatus();
}

absl::Status Worker::MatchOne(Message msg) {
  detect::MatchOptions match = options_.match;
  match.sighting_window_us = window_s_ * 1000000;
  if (std::optional<std::string> f = msg.Header(kHeaderFormat)) {
    if (std::optional<detect::TelemetryFormat> format = detect::ParseTelemetryFormat(*f))
      match.format = *format;
  }
  detect::MatchRun run(*live_, match, sink_);
  run.RunTexts({{BatchName(msg.Header(kHeaderInput)), msg.data()}});
  const detect::MatchSummary& s = run.summary();
  SightingReport report;
  report.batch = msg.Header("Nats-Msg-Id").value_or(StrCat("seq:", msg.stream_sequence()));
  report.records = static_cast<int64_t>(s.records);
  report.shipped_us = HeaderNumber(msg, kHeaderShipped);
  report.set_version = version_;
  report.entries = run.sightings().Entries();
  ++summary_.batches;
  if (msg.delivered() > 1) ++summary_.redelivered;
  summary_.records += report.records;
  summary_.bytes += static_cast<int64_t>(s.bytes);
  summary_.alerts += static_cast<int64_t>(s.alerts);
  summary_.malformed += static_cast<int64_t>(s.malformed);
  summary_.entries += static_cast<int64_t>(report.entries.size());
  for (const std::string& p : s.problems) {
    if (summary_.problems.size() < kMaxProblemsKept) summary_.problems.push_back(p);
  }
  // The batch is acknowledged once its report is stored, never before: a worker that dies
  // in between leaves it to be delivered again. A lost acknowledgement only makes the batch
  // come again, and its second report is dropped by the stream (same message id).
  auto batch = std::make_shared<Message>(std::move(msg));
  return bus_.PublishAsync(kSightingsSubject, EncodeSightingReport(report),
                           StrCat("s:", report.batch),
                           [batch, failure = failure_](absl::Status stored) {
                             if (stored.ok()) stored = batch->AckNoWait();
                             if (stored.ok()) return;
                             std::lock_guard<std::mutex> lock(failure->mutex);
                             if (failure->status.ok()) failure->status = std::move(stored);
                           });
}

absl::Status Worker::Failed() {
  std::lock_guard<std::mutex> lock(failure_->mutex);
  return failure_->status;
}

absl::Status Worker::Run() {
  if (options_.durable.empty())
    return absl::InvalidArgumentError("a worker needs a durable consumer name");
  KZ_RETURN_IF_ERROR(bus_.EnsureStream(TelemetryStreamSpec()));
  ConsumerSpec spec;
  spec.stream = kTelemetryStream;
  spec.subject = kTelemetrySubject;
  spec.durable = options_.durable;
  spec.ack_wait_ms = options_.ack_wait_ms;
  KZ_ASSIGN_OR_RETURN(std::unique_ptr<PullConsumer> consumer, bus_.Consume(spec));
  absl::Status run = Loop(*consumer);
  // Every report sent is answered (and its batch acknowledged) before the worker returns.
  absl::Status drained = bus_.AwaitPublishes(0, options_.ack_wait_ms);
  if (!run.ok()) return run;
  KZ_RETURN_IF_ERROR(Failed());
  return drained;
}

absl::Status Worker::Loop(PullConsumer& consumer) {
  auto stopped = [this] { return options_.stop != nullptr && options_.stop->load(); };
  Clock& clock = SystemClock();
  int64_t last_check_us = 0, last_batch_us = clock.NowMicros(), first_us = 0;
  bool announced = false;
  std::optional<Prefetcher> ahead;  // fetching starts once a set is read
  while (!stopped()) {
    const int64_t now = clock.NowMicros();
    if (live_ == nullptr || now - last_check_us >= options_.set_check_ms * 1000) {
      last_check_us = now;
      KZ_RETURN_IF_ERROR(CheckSet());
    }
    if (live_ == nullptr) {
      if (!announced && on_event) on_event("waiting for the node's indicator set (kizuna bus)");
      announced = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    KZ_RETURN_IF_ERROR(Failed());
    if (!ahead) ahead.emplace(consumer, options_.fetch_batches, options_.fetch_batches);
    KZ_ASSIGN_OR_RETURN(std::optional<Message> msg, ahead->Next(kNextWaitMs));
    if (msg) {
      if (first_us == 0) first_us = clock.NowMicros();
      KZ_RETURN_IF_ERROR(MatchOne(std::move(*msg)));
      // Reports in flight are bounded, and so are the batches they hold.
      KZ_RETURN_IF_ERROR(bus_.AwaitPublishes(kMaxReportsInFlight, options_.ack_wait_ms));
      last_batch_us = clock.NowMicros();
      summary_.seconds = static_cast<double>(last_batch_us - first_us) / 1e6;
      if (on_progress) on_progress(summary_);
    } else if (options_.exit_when_idle_ms > 0 &&
               clock.NowMicros() - last_batch_us >= options_.exit_when_idle_ms * 1000) {
      break;
    }
  }
  return absl::OkStatus();
}

}  // namespace kizuna::bus
