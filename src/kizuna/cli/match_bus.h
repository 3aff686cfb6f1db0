// Kizuna. What `kizuna ship`, `kizuna bus` and `kizuna match --from` share: flags of the
// worker mode, and the stop flag SIGINT and SIGTERM set.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "kizuna/detect/field_map.h"

namespace kizuna::cli {

// `kizuna match --from nats://... --durable NAME`.
struct MatchBusFlags {
  std::string from;
  std::string durable;
  int64_t ack_wait_seconds = 30;
  int64_t exit_when_idle_seconds = 0;
  int threads = 1;
  std::string alerts;
  std::string field_map;
  std::vector<std::string> allowlists;
  std::vector<std::string> allowlist_categories;
  int64_t correlation_window_seconds = 3600;
  bool json = false;
};

// Reads the field map file `path` (--field-map) into `map`; nothing when `path` is empty.
// Errors name the file and line.
absl::Status LoadFieldMap(const std::string& path, detect::FieldMap& map);

// Makes SIGINT and SIGTERM set the returned flag instead of ending the process.
const std::atomic<bool>& StopOnSignalsFlag();

// Runs a matcher worker (bus/worker.h) until SIGINT/SIGTERM or idle; prints its summary.
// Returns the exit code.
int RunMatchFromBus(const MatchBusFlags& flags);

}  // namespace kizuna::cli
