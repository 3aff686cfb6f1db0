// Kizuna.
#include "kizuna/sync/runner.h"

#include <algorithm>
#include <chrono>

namespace kizuna::sync {

Runner::Runner(store::Database& db, policy::Policy& policy, Clock& clock, RunnerOptions options)
    : db_(db), clock_(clock), options_(options), syncer_(db, policy, clock, options.sync) {}

Runner::~Runner() { Stop(); }

void Runner::Start() {
  db_.SetCommitListener([this](std::string_view) { Wake(); });
  thread_ = std::thread([this] { Loop(); });
}

void Runner::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Runner::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

void Runner::Loop() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::microseconds(options_.poll_interval_us), [this] { return wake_ || stop_; });
      if (stop_) return;
      wake_ = false;
    }
    Pass();
  }
}

void Runner::Pass() {
  // Another process runs federation (or the store cannot be reached): ask again next period.
  // The pass's writes carry the epoch of this lead: if it ends before they are made, they fail
  // even should this process have led again meanwhile (its other runner asking).
  absl::StatusOr<std::optional<int64_t>> lead =
      options_.lead ? options_.lead() : db_.LeadFederationEpoch();
  if (!lead.ok() || !lead->has_value()) return;
  absl::StatusOr<std::vector<store::Peer>> peers = db_.ListPeers();
  if (!peers.ok()) return;  // the store is unavailable: try again on the next pass
  for (const store::Peer& peer : *peers) {
    Backoff& b = backoff_[peer.name];
    int64_t now = clock_.NowMicros();
    if (now < b.retry_at_us) continue;
    absl::StatusOr<std::vector<MappingReport>> reports = syncer_.RunPeer(peer, {}, **lead);
    bool failed = !reports.ok();
    if (reports.ok()) {
      for (const MappingReport& r : *reports) failed = failed || !r.error.empty();
    }
    if (!failed) {
      b = Backoff{};
      continue;
    }
    b.failures = std::min(b.failures + 1, 30);
    int64_t delay = options_.min_backoff_us;
    for (int i = 1; i < b.failures && delay < options_.max_backoff_us; ++i) delay *= 2;
    b.retry_at_us = now + std::min(delay, options_.max_backoff_us);
  }
}

}  // namespace kizuna::sync
