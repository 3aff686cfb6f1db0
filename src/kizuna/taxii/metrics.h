// Kizuna. Server metrics in Prometheus text format: requests by endpoint and status, a
// latency histogram, objects stored.
#pragma once

// Counters are atomics, so recording costs a few nanoseconds and never blocks a request.
// Thread-safety: safe for concurrent use.

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace kizuna::taxii {

// The endpoints metrics are kept for.
enum class Route : uint8_t {
  kDiscovery, kApiRoot, kStatus, kCollections, kCollection, kManifest, kObjects, kAddObjects,
  kObject, kDeleteObject, kVersions, kHealth, kMetrics, kOther, kCount
};

// Returns the route's label, e.g. "get_objects".
std::string_view RouteName(Route route);

class Metrics {
 public:
  // Records one finished request.
  void Record(Route route, int http_status, double seconds);
  // Adds to the number of objects written (added versions) and read (served).
  void AddObjectsWritten(int64_t n) { objects_written_ += n; }
  void AddObjectsServed(int64_t n) { objects_served_ += n; }
  void ConnectionOpened() { ++connections_open_; ++connections_total_; }
  void ConnectionClosed() { --connections_open_; }

  // Returns the Prometheus text exposition of every metric; `objects_stored` is supplied by
  // the caller (it comes from the store).
  std::string Render(int64_t objects_stored) const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    2.5};
  static constexpr size_t kRoutes = static_cast<size_t>(Route::kCount);
  // Statuses are kept by class (2xx .. 5xx) and for the TAXII codes that matter.
  static constexpr std::array<int, 12> kStatuses = {200, 202, 400, 401, 403, 404, 405, 406, 413, 415, 500, 503};

  std::array<std::array<std::atomic<int64_t>, kStatuses.size() + 1>, kRoutes> requests_{};
  std::array<std::atomic<int64_t>, kBuckets.size() + 1> latency_buckets_{};
  std::atomic<int64_t> latency_count_{0};
  std::atomic<int64_t> latency_micros_sum_{0};
  std::atomic<int64_t> objects_written_{0};
  std::atomic<int64_t> objects_served_{0};
  std::atomic<int64_t> connections_open_{0};
  std::atomic<int64_t> connections_total_{0};
};

}  // namespace kizuna::taxii
