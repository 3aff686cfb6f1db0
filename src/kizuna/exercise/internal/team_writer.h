// Kizuna. Writes the records of one team network's events in every format, with their labels.
#pragma once

// The generator (generator.cc) turns steps, look-alikes and background traffic into Events,
// in time order, and hands each to the TeamWriter of its network, which writes its records
// (zeek_format.h for Zeek, EVE by hand) and one ground-truth line per record, buffering each
// file and passing full buffers to the sink.
//
// Thread-safety: one thread.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "kizuna/exercise/generator.h"
#include "kizuna/exercise/internal/zeek_format.h"

namespace kizuna::exercise_internal {

enum class EventKind : uint8_t { kDns, kConn, kHttp, kTls, kFile, kNotice };

// One event with every value its records need (views into the scenario or the generator's
// pools, which outlive the writer).
struct Event {
  EventKind kind = EventKind::kConn;
  int64_t ts_us = 0;
  uint32_t label = 0;  // index into the labels
  uint64_t rnd = 0;    // the event's own randomness: ids, ports, sizes
  uint32_t src = 0, dst = 0;
  uint16_t dport = 0;
  bool udp = false;
  std::string_view service;
  uint64_t orig_bytes = 0, resp_bytes = 0;
  std::string_view query, qtype = "A";
  std::span<const std::string> answers;
  std::string_view method, host, uri, user_agent;
  uint16_t status = 200;
  std::string_view sni, subject, issuer;
  std::string_view file_name, mime, md5, sha1, sha256;
  uint64_t size = 0;
  std::string_view note, msg;
};

class TeamWriter {
 public:
  // `labels`: the label text of each label index; `open_us`: the logs' #open time.
  TeamWriter(std::string_view team, const exercise::GenerateOptions& options,
             std::span<const std::string> labels, exercise::TelemetrySink& sink,
             exercise::GenerateSummary& summary, int64_t open_us);

  // Writes the Zeek TSV headers.
  absl::Status Begin();
  // Writes the records of `event`.
  absl::Status Write(const Event& event);
  // Writes the #close lines and flushes every file.
  absl::Status End(int64_t close_us);

 private:
  struct Out {
    std::string name;
    std::string buf;
    uint64_t lines = 0;
    bool eve = false;
  };
  // Records one line of file `out` (already appended to its buffer) in the truth file.
  absl::Status Recorded(Out& out, int64_t ts_us, uint32_t label);
  absl::Status Flush(Out& out, size_t at_least);
  absl::Status Zeek(Log log, std::span<const Value> values, int64_t ts_us, uint32_t label);
  absl::Status Eve(const Event& e);
  void Common(const Event& e, std::string_view uid, std::vector<Value>& v);

  std::string team_;
  const exercise::GenerateOptions& options_;
  std::span<const std::string> labels_;
  exercise::TelemetrySink& sink_;
  exercise::GenerateSummary& summary_;
  int64_t open_us_;
  Out tsv_[kLogCount];
  Out json_[kLogCount];
  Out eve_;
  Out truth_;
  char src_text_[16] = {}, dst_text_[16] = {};
  std::string_view src_, dst_;
  std::vector<Value> values_;
  std::vector<uint64_t> label_counts_;
};

// Writes `ip` as dotted quad into `buf`; returns the text.
std::string_view Ipv4Text(uint32_t ip, char (&buf)[16]);

}  // namespace kizuna::exercise_internal
