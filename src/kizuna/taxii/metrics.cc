// Kizuna.
#include "kizuna/taxii/metrics.h"

#include "kizuna/base/strings.h"

namespace kizuna::taxii {

std::string_view RouteName(Route route) {
  switch (route) {
    case Route::kDiscovery: return "discovery";
    case Route::kApiRoot: return "api_root";
    case Route::kStatus: return "status";
    case Route::kCollections: return "collections";
    case Route::kCollection: return "collection";
    case Route::kManifest: return "manifest";
    case Route::kObjects: return "get_objects";
    case Route::kAddObjects: return "add_objects";
    case Route::kObject: return "get_object";
    case Route::kDeleteObject: return "delete_object";
    case Route::kVersions: return "versions";
    case Route::kHealth: return "healthz";
    case Route::kMetrics: return "metrics";
    case Route::kOther:
    case Route::kCount: break;
  }
  return "other";
}

void Metrics::Record(Route route, int http_status, double seconds) {
  size_t s = kStatuses.size();  // "other"
  for (size_t i = 0; i < kStatuses.size(); ++i) {
    if (kStatuses[i] == http_status) s = i;
  }
  requests_[static_cast<size_t>(route)][s].fetch_add(1, std::memory_order_relaxed);
  size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  latency_buckets_[b].fetch_add(1, std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
  latency_micros_sum_.fetch_add(static_cast<int64_t>(seconds * 1e6), std::memory_order_relaxed);
}

std::string Metrics::Render(int64_t objects_stored) const {
  std::string out;
  out += "# HELP kizuna_http_requests_total HTTP requests served, by endpoint and status.\n";
  out += "# TYPE kizuna_http_requests_total counter\n";
  for (size_t r = 0; r < kRoutes; ++r) {
    for (size_t s = 0; s <= kStatuses.size(); ++s) {
      int64_t n = requests_[r][s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      std::string status = s < kStatuses.size() ? StrCat(kStatuses[s]) : "other";
      StrAppend(out, "kizuna_http_requests_total{endpoint=\"", RouteName(static_cast<Route>(r)),
                "\",status=\"", status, "\"} ", n, "\n");
    }
  }
  out += "# HELP kizuna_http_request_duration_seconds Time from a complete request to its response.\n";
  out += "# TYPE kizuna_http_request_duration_seconds histogram\n";
  int64_t cumulative = 0;
  for (size_t b = 0; b < kBuckets.size(); ++b) {
    cumulative += latency_buckets_[b].load(std::memory_order_relaxed);
    StrAppend(out, "kizuna_http_request_duration_seconds_bucket{le=\"", kBuckets[b], "\"} ", cumulative, "\n");
  }
  cumulative += latency_buckets_[kBuckets.size()].load(std::memory_order_relaxed);
  StrAppend(out, "kizuna_http_request_duration_seconds_bucket{le=\"+Inf\"} ", cumulative, "\n");
  StrAppend(out, "kizuna_http_request_duration_seconds_sum ",
            latency_micros_sum_.load(std::memory_order_relaxed) / 1e6, "\n");
  StrAppend(out, "kizuna_http_request_duration_seconds_count ", latency_count_.load(std::memory_order_relaxed), "\n");
  StrAppend(out, "# HELP kizuna_objects_stored Current objects (latest versions) in all collections.\n",
            "# TYPE kizuna_objects_stored gauge\nkizuna_objects_stored ", objects_stored, "\n");
  StrAppend(out, "# HELP kizuna_objects_written_total Object versions added through TAXII.\n",
            "# TYPE kizuna_objects_written_total counter\nkizuna_objects_written_total ",
            objects_written_.load(std::memory_order_relaxed), "\n");
  StrAppend(out, "# HELP kizuna_objects_served_total Objects returned by TAXII reads.\n",
            "# TYPE kizuna_objects_served_total counter\nkizuna_objects_served_total ",
            objects_served_.load(std::memory_order_relaxed), "\n");
  StrAppend(out, "# HELP kizuna_connections_open Client connections open now.\n",
            "# TYPE kizuna_connections_open gauge\nkizuna_connections_open ",
            connections_open_.load(std::memory_order_relaxed), "\n");
  StrAppend(out, "# HELP kizuna_connections_total Client connections accepted.\n",
            "# TYPE kizuna_connections_total counter\nkizuna_connections_total ",
            connections_total_.load(std::memory_order_relaxed), "\n");
  return out;
}

}  // namespace kizuna::taxii
