// Kizuna. What `kizuna ship`, `kizuna bus` and `kizuna match --from` share: the flags that
// secure their NATS connection, flags of the worker mode, and the stop flag SIGINT and
// SIGTERM set.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/bus/jetstream.h"
#include "kizuna/detect/field_map.h"

namespace CLI {
class App;
}  // namespace CLI

namespace kizuna::cli {

// TLS and credentials of a NATS connection (bus::BusOptions).
struct NatsFlags {
  std::string ca;
  std::string tls_name;
  std::string cert;
  std::string key;
  std::string creds;
  std::string user;
  std::string password_file;
};

// Adds --nats-ca, --nats-tls-name, --nats-cert, --nats-key, --nats-creds, --nats-user and
// --nats-password-file to `cmd`.
void AddNatsFlags(CLI::App& cmd, NatsFlags& flags);

// The options to connect to `url` as `client_name` with `flags`, the password read from its
// file (which must be its owner's alone). Errors name the file; the password is shown nowhere.
absl::StatusOr<bus::BusOptions> NatsOptions(const std::string& url, const NatsFlags& flags,
                                            std::string client_name);

// `kizuna match --from nats://... --durable NAME`.
struct MatchBusFlags {
  std::string from;
  NatsFlags nats;
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
