// Kizuna. `kizuna ship`: telemetry files tailed into the KIZUNA_TELEMETRY stream in batches
// of whole lines, resuming at saved offsets after a restart.
#pragma once

// The Shipper reads each input from its saved offset, cuts batches of whole lines (at most
// `batch_records` records and kMaxPayloadBytes with the header; a line is never split; a
// partial last line waits for its end), and publishes each batch with acknowledgement. Only
// after the stream acknowledged a batch does the offset move and the state file get written
// (atomically): a shipper killed at any moment resumes at the first batch not acknowledged,
// so nothing is lost; the batch in flight may be published again, and the stream drops it
// when it is identical (same message id: sensor, path, inode, byte range), within its
// duplicate window.
//
// Zeek TSV: the header lines in force ('#separator', '#fields', ...) go at the start of every
// batch, so a worker parses any batch alone; they are kept in the state file with the offset.
// An input whose inode changed or that is shorter than its offset was rotated or truncated:
// it is read again from its start. Gzip inputs are not read (they do not grow by lines).
//
// State file (JSON): {"kizuna_ship_state": 1, "inputs": {"/var/zeek/dns.log":
//   {"inode": 1234, "offset": 56789, "header": "#separator \\x09\n..."}}}
//
// Thread-safety: one thread; `stop` may be set from another (or a signal handler).

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "kizuna/bus/jetstream.h"

namespace kizuna::bus {

// Largest state file read; most lines in one batch.
inline constexpr uint64_t kMaxShipStateBytes = 16 << 20;
inline constexpr int64_t kMaxBatchRecords = 100000;

struct ShipOptions {
  std::vector<std::string> inputs;  // files
  std::string state_path;           // empty: offsets are not saved
  std::string format = "auto";      // told to workers (Kizuna-Format)
  std::string sensor;               // names the sensor in message ids (host name)
  int64_t batch_records = 10000;     // 1..kMaxBatchRecords
  bool follow = false;              // keep reading as files grow, until `stop`
  int64_t poll_ms = 200;            // with follow: wait at the end of every input
  const std::atomic<bool>* stop = nullptr;
};

struct ShipSummary {
  int64_t inputs = 0;
  int64_t batches = 0;
  int64_t records = 0;
  int64_t bytes = 0;
  int64_t duplicates = 0;  // batches the stream already held (a resend after a crash)
  int64_t rotated = 0;     // inputs read again from their start
  int64_t too_long = 0;    // lines longer than a message, left out
  double seconds = 0;
};

class Shipper {
 public:
  Shipper(Bus& bus, ShipOptions options);

  // Reads the state file and ships until every input is at its end (with follow: until
  // `stop`). Errors: an unreadable state file or input, a publish that fails (the offsets
  // saved stay those of the batches acknowledged), a state file that cannot be written.
  absl::Status Run();

  // Called after each batch, at most every progress_ms.
  std::function<void(const ShipSummary&)> on_progress;
  int64_t progress_ms = 250;

  const ShipSummary& summary() const { return summary_; }

 private:
  struct Input {
    std::string path;
    uint64_t inode = 0;
    uint64_t offset = 0;
    std::string header;  // Zeek TSV header lines in force at `offset`
  };
  absl::Status ReadState();
  absl::Status WriteState();
  // Publishes the next batch of `in`; sets `*shipped` to whether there was one.
  absl::Status ShipNext(Input& in, bool* shipped);

  Bus& bus_;
  ShipOptions options_;
  std::vector<Input> inputs_;
  ShipSummary summary_;
  int64_t last_progress_us_ = 0;
};

}  // namespace kizuna::bus
