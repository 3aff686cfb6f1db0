// Kizuna.
#include "kizuna/detect/sightings.h"

#include <algorithm>

#include "kizuna/base/json_string.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/event_time.h"
#include "kizuna/stix/id.h"

namespace kizuna::detect {
namespace {

// The namespace of sighting ids (a fixed, random UUID of Kizuna's).
constexpr std::string_view kSightingNamespace = "6a1f5c2e-93b4-4d0e-8a57-2c9e41b7d3f0";

}  // namespace

SightingAggregator::SightingAggregator(int64_t window_us) : window_us_(window_us) {}

void SightingAggregator::Add(const Uuid& indicator, int64_t time_us) {
  int64_t window = time_us / window_us_;
  if (time_us < 0 && time_us % window_us_ != 0) --window;
  auto [it, inserted] = entries_.try_emplace(Key{indicator, window});
  Entry& e = it->second;
  if (inserted) {
    e.indicator = indicator;
    e.window_start_us = window * window_us_;
    e.first_us = e.last_us = time_us;
  }
  e.first_us = std::min(e.first_us, time_us);
  e.last_us = std::max(e.last_us, time_us);
  ++e.count;
}

void SightingAggregator::Merge(const SightingAggregator& other) {
  for (const auto& [key, theirs] : other.entries_) AddEntry(theirs);
}

void SightingAggregator::AddEntry(const Entry& theirs) {
  auto [it, inserted] =
      entries_.try_emplace(Key{theirs.indicator, theirs.window_start_us / window_us_}, theirs);
  if (inserted) return;
  Entry& e = it->second;
  e.first_us = std::min(e.first_us, theirs.first_us);
  e.last_us = std::max(e.last_us, theirs.last_us);
  e.count += theirs.count;
}

std::vector<SightingAggregator::Entry> SightingAggregator::Entries() const {
  std::vector<Entry> out;
  out.reserve(entries_.size());
  for (const auto& [key, e] : entries_) out.push_back(e);
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
    return a.indicator != b.indicator ? a.indicator < b.indicator
                                      : a.window_start_us < b.window_start_us;
  });
  return out;
}

size_t SightingAggregator::IndicatorCount() const {
  std::vector<Entry> all = Entries();
  size_t n = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (i == 0 || all[i].indicator != all[i - 1].indicator) ++n;
  }
  return n;
}

std::string SightingJson(const SightingAggregator::Entry& entry, std::string_view identity,
                         std::string_view marking, int64_t modified_us) {
  const std::string indicator = FormatIndicatorId(entry.indicator);
  const std::string id = StrCat(
      "sighting--",
      stix::UuidV5(kSightingNamespace, StrCat(indicator, "|", identity, "|", entry.window_start_us)));
  std::string out = StrCat(R"({"type":"sighting","spec_version":"2.1","id":")", id, R"(","created":")",
                           FormatEventTime(entry.window_start_us), R"(","modified":")",
                           FormatEventTime(modified_us >= 0 ? modified_us : std::max(entry.last_us, entry.window_start_us)),
                           R"(","created_by_ref":)");
  AppendJsonString(identity, out);
  StrAppend(out, R"(,"sighting_of_ref":")", indicator, R"(","where_sighted_refs":[)");
  AppendJsonString(identity, out);
  StrAppend(out, R"(],"first_seen":")", FormatEventTime(entry.first_us), R"(","last_seen":")",
            FormatEventTime(entry.last_us), R"(","count":)", std::min<int64_t>(entry.count, kMaxSightingCount));
  if (!marking.empty()) StrAppend(out, R"(,"object_marking_refs":[")", marking, R"("])");
  out += "}";
  return out;
}

}  // namespace kizuna::detect
