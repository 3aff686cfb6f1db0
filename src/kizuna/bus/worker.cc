// Kizuna. The matcher worker (worker.h).
#include "kizuna/bus/worker.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "kizuna/base/clock.h"
#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/bus/messages.h"

namespace kizuna::bus {
namespace {

constexpr size_t kMaxProblemsKept = 20;

// A safe file name for the batch: the input's base name, else "batch".
std::string BatchFileName(const std::optional<std::string>& input) {
  if (!input || input->empty() || input->size() > 200 || *input == "." || *input == ".." ||
      input->find('/') != std::string::npos || input->find('\0') != std::string::npos) {
    return "batch";
  }
  return *input;
}

// Writes the batch for the reader: no sync, the file lives as long as the batch's matching.
absl::Status WriteBatchFile(const std::string& path, std::string_view data) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return FileError(path, errno);
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      return FileError(path, err);
    }
    done += static_cast<size_t>(n);
  }
  return ::close(fd) == 0 ? absl::OkStatus() : FileError(path, errno);
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

absl::Status Worker::MatchOne(Message& msg) {
  const std::string path = StrCat(options_.temp_dir, "/", BatchFileName(msg.Header(kHeaderInput)));
  KZ_RETURN_IF_ERROR(WriteBatchFile(path, msg.data()));
  detect::MatchOptions match = options_.match;
  match.sighting_window_us = window_s_ * 1000000;
  if (std::optional<std::string> f = msg.Header(kHeaderFormat)) {
    if (std::optional<detect::TelemetryFormat> format = detect::ParseTelemetryFormat(*f))
      match.format = *format;
  }
  detect::MatchRun run(*live_, match, sink_);
  run.Run({path});
  const detect::MatchSummary& s = run.summary();
  SightingReport report;
  report.batch = msg.Header("Nats-Msg-Id").value_or(StrCat("seq:", msg.stream_sequence()));
  report.records = static_cast<int64_t>(s.records);
  report.shipped_us = HeaderNumber(msg, kHeaderShipped);
  report.set_version = version_;
  report.entries = run.sightings().Entries();
  KZ_RETURN_IF_ERROR(
      bus_.Publish(kSightingsSubject, EncodeSightingReport(report), {}, StrCat("s:", report.batch))
          .status());
  // The report is stored: a lost acknowledgement only makes the batch come again, and its
  // second report is dropped by the stream (same message id).
  KZ_RETURN_IF_ERROR(msg.AckNoWait());
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
  return absl::OkStatus();
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
  auto stopped = [this] { return options_.stop != nullptr && options_.stop->load(); };
  Clock& clock = SystemClock();
  int64_t last_check_us = 0, last_batch_us = clock.NowMicros(), first_us = 0;
  bool announced = false;
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
    KZ_ASSIGN_OR_RETURN(std::vector<Message> batch, consumer->Fetch(options_.fetch_batches, 250));
    for (Message& msg : batch) {
      if (first_us == 0) first_us = clock.NowMicros();
      KZ_RETURN_IF_ERROR(MatchOne(msg));
      last_batch_us = clock.NowMicros();
      summary_.seconds = static_cast<double>(last_batch_us - first_us) / 1e6;
      if (on_progress) on_progress(summary_);
      if (stopped()) break;  // the batches fetched and not matched are redelivered
    }
    if (batch.empty() && options_.exit_when_idle_ms > 0 &&
        clock.NowMicros() - last_batch_us >= options_.exit_when_idle_ms * 1000) {
      break;
    }
  }
  return absl::OkStatus();
}

}  // namespace kizuna::bus
