// Kizuna. Releasing generated telemetry as the exercise clock advances, line by line.
#pragma once

// `kizuna exercise run` generates a scenario's telemetry up front (generator.h) and hands it
// to each team's sensor folder progressively, as if the sensors were logging it live: a
// record becomes due when the exercise clock reaches its event time (the ground truth's `ts`,
// ground_truth.h). A file is released as a prefix of whole lines, so a reader that follows it
// (`kizuna match --follow`, or a periodic `kizuna match`) never sees half a line. Header lines
// (Zeek's `#fields`, `#open`...) go with the line before them: the opening headers at once,
// `#close` with the file's last record.
//
//   KZ_ASSIGN_OR_RETURN(ReleasePlan plan, ReleasePlan::Build(std::move(files), truth, "truth.tsv"));
//   for (const TelemetryChunk& c : plan.ReleaseUntil(now_us)) Append(dir / c.file, c.bytes);
//
// Thread-safety: one thread per plan.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace kizuna::exercise {

struct TelemetryChunk {
  std::string_view file;   // relative to the telemetry folder, e.g. "jpn/dns.log"
  std::string_view bytes;  // whole lines; valid while the plan lives
};

class ReleasePlan {
 public:
  // `files`: each generated file (relative name) and its bytes, truth.tsv not among them;
  // `truth`: the text of truth.tsv, read from `origin`. InvalidArgument "origin:line: what"
  // for a truth line that is not file, line, ts, label, or that names a line no file has.
  static absl::StatusOr<ReleasePlan> Build(std::map<std::string, std::string> files,
                                           std::string_view truth, std::string_view origin);

  // The bytes that become due when telemetry time reaches `until_us` (microseconds since the
  // epoch), after what earlier calls returned, file by file in name order.
  std::vector<TelemetryChunk> ReleaseUntil(int64_t until_us);

  bool done() const { return released_records_ == records_; }
  uint64_t records() const { return records_; }
  uint64_t released_records() const { return released_records_; }
  int64_t first_us() const { return first_us_; }  // earliest record time
  int64_t last_us() const { return last_us_; }    // latest record time

 private:
  struct File {
    std::string name;
    std::string bytes;
    std::vector<size_t> line_end;  // offset after each line's '\n'
    std::vector<int64_t> due_us;   // per line: when it is due
    std::vector<char> record;      // per line: a record (1) or a header (0)
    size_t next_line = 0;          // the first line not yet released
  };
  std::vector<File> files_;
  uint64_t records_ = 0, released_records_ = 0;
  int64_t first_us_ = INT64_MAX, last_us_ = INT64_MIN;
};

}  // namespace kizuna::exercise
