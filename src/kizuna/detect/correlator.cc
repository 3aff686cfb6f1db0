// Kizuna.
#include "kizuna/detect/correlator.h"

#include <algorithm>
#include <limits>

#include "kizuna/detect/correlation_set.h"

namespace kizuna::detect {

std::vector<PendingEvents> Correlator::Pending() const {
  std::vector<PendingEvents> out;
  if (snapshot_ == nullptr) return out;
  for (const auto& [index, buffer] : buffers_) {
    if (buffer.events.empty()) continue;
    out.push_back({snapshot_->IndicatorUuid(snapshot_->PatternIndicator(index)),
                   std::string(snapshot_->patterns()->pattern(index).ast().text()),
                   buffer.newest_us,
                   {buffer.events.begin(), buffer.events.end()}});
  }
  std::sort(out.begin(), out.end(), [](const PendingEvents& a, const PendingEvents& b) {
    return a.indicator != b.indicator ? a.indicator < b.indicator : a.pattern < b.pattern;
  });
  return out;
}

size_t Correlator::Restore(const std::shared_ptr<const Snapshot>& snapshot,
                           std::vector<PendingEvents> pending) {
  buffers_.clear();
  snapshot_ = snapshot;
  if (pending.empty() || snapshot->patterns() == nullptr) return 0;
  absl::flat_hash_map<Uuid, uint32_t> by_indicator;
  for (size_t p : snapshot->patterns()->multi_observation()) {
    by_indicator[snapshot->IndicatorUuid(snapshot->PatternIndicator(p))] = static_cast<uint32_t>(p);
  }
  size_t restored = 0;
  for (PendingEvents& p : pending) {
    auto it = by_indicator.find(p.indicator);
    if (it == by_indicator.end() || p.events.empty() ||
        snapshot->patterns()->pattern(it->second).ast().text() != p.pattern) {
      continue;
    }
    // As a buffer is bounded: the newest max_events, and the newest time among them (what
    // a resume file says is not taken on trust).
    Buffer& b = buffers_[it->second];
    const size_t keep = std::max<size_t>(options_.max_events, 1);
    auto first = p.events.size() > keep ? p.events.end() - static_cast<std::ptrdiff_t>(keep)
                                        : p.events.begin();
    b.events.assign(std::make_move_iterator(first), std::make_move_iterator(p.events.end()));
    b.newest_us = std::numeric_limits<int64_t>::min();
    for (const auto& e : b.events) b.newest_us = std::max(b.newest_us, e->time_us);
    ++restored;
  }
  return restored;
}

void Correlator::SwitchTo(const std::shared_ptr<const Snapshot>& snapshot) {
  if (snapshot_ != snapshot) Restore(snapshot, Pending());
}

absl::Status Correlator::Add(const std::shared_ptr<const Snapshot>& snapshot,
                             std::shared_ptr<const CorrelationEvent> event,
                             std::span<const uint32_t> patterns,
                             std::vector<CorrelationHit>& hits) {
  SwitchTo(snapshot);
  absl::Status first_error;
  for (uint32_t p : patterns) {
    absl::Status st = AddTo(p, event, hits);
    if (!st.ok() && first_error.ok()) first_error = st;
  }
  return first_error;
}

absl::Status Correlator::AddTo(uint32_t pattern,
                               const std::shared_ptr<const CorrelationEvent>& event,
                               std::vector<CorrelationHit>& hits) {
  const CorrelationSet* set = snapshot_->correlations();
  if (set == nullptr) return absl::OkStatus();
  const int64_t within = set->WithinUs(pattern);
  const int64_t bound = within > 0 ? within : options_.window_us;
  Buffer& b = buffers_[pattern];
  if (!b.events.empty() && event->time_us < b.newest_us - bound) {
    ++late_;
    return absl::OkStatus();
  }
  if (b.events.empty() || event->time_us > b.newest_us) b.newest_us = event->time_us;
  const int64_t oldest = b.newest_us - bound;
  b.events.erase(std::remove_if(b.events.begin(), b.events.end(),
                                [oldest](const auto& e) { return e->time_us < oldest; }),
                 b.events.end());
  if (b.events.size() >= std::max<size_t>(options_.max_events, 1)) {
    b.events.pop_front();
    ++dropped_;
  }
  b.events.push_back(event);

  scratch_.clear();
  for (const auto& e : b.events) scratch_.push_back(&e->observation);
  absl::StatusOr<pattern::MatchResult> r = snapshot_->patterns()->pattern(pattern).Match(scratch_);
  if (!r.ok()) return r.status();
  if (!r->matched) return absl::OkStatus();
  CorrelationHit hit;
  hit.indicator = snapshot_->PatternIndicator(pattern);
  hit.trigger = event;
  for (size_t i : r->bound) hit.events.push_back(b.events[i]);
  std::stable_sort(hit.events.begin(), hit.events.end(),
                   [](const auto& x, const auto& y) { return x->time_us < y->time_us; });
  hits.push_back(std::move(hit));
  b.events.clear();
  return absl::OkStatus();
}

}  // namespace kizuna::detect
