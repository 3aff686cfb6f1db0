// Kizuna. The ground truth of generated telemetry: which step, look-alike or background
// traffic made each record.
#pragma once

// truth.tsv (written by generator.h, one line per telemetry record, in the order written):
//
//   #kizuna-exercise-truth	1
//   #fields	file	line	ts	label
//   jpn/dns.log	9	1764547200.123456	background
//   jpn/dns.log	10	1764547260.000000	step:jpn-phish-dns
//   jpn/eve.json	4	1764547260.000000	lookalike:portal-typo
//
// `file` is the record's file relative to the output folder (team/log), `line` its 1-based
// line in that file, `ts` its event time (epoch seconds), `label` "background", "step:ID" or
// "lookalike:NAME". docs/exercise.md describes it.
//
// GroundTruth reads it into a table of labels per file and line, for scoring alerts, which
// name their input and line (detect/alerts.h).
//
// Thread-safety: a parsed GroundTruth is read-only.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"

namespace kizuna::exercise {

inline constexpr std::string_view kTruthFile = "truth.tsv";
inline constexpr std::string_view kBackgroundLabel = "background";
inline constexpr std::string_view kStepLabelPrefix = "step:";
inline constexpr std::string_view kLookalikeLabelPrefix = "lookalike:";
// Most distinct files and labels a truth file may name.
inline constexpr size_t kMaxTruthFiles = 100'000;
inline constexpr size_t kMaxTruthLabels = 1'000'000;

// The first two lines of truth.tsv.
std::string TruthHeader();

class GroundTruth {
 public:
  static constexpr uint32_t kNoLabel = UINT32_MAX;

  struct LabelStats {
    uint64_t records = 0;
    int64_t first_us = INT64_MAX;  // earliest record time
    int64_t last_us = INT64_MIN;
  };

  // Parses the text of a truth file read from `origin`. Returns InvalidArgument
  // "origin:line: what" for a line that is not "file<TAB>line<TAB>ts<TAB>label".
  static absl::StatusOr<GroundTruth> Parse(std::string_view text, std::string_view origin);

  // The index of the file `input` names: a truth file name equal to `input` or its end
  // ("/out/jpn/dns.log" ends with "jpn/dns.log"); -1 if none.
  int FindFile(std::string_view input) const;
  // The label index of line `line` of file `file`, or kNoLabel.
  uint32_t LabelAt(int file, uint64_t line) const;

  const std::vector<std::string>& files() const { return files_; }
  const std::vector<std::string>& labels() const { return labels_; }
  const std::vector<LabelStats>& stats() const { return stats_; }
  // Per label: per file index, the records (for team breakdowns).
  uint64_t records() const { return records_; }

 private:
  std::vector<std::string> files_;
  absl::flat_hash_map<std::string, int> file_index_;
  std::vector<std::vector<uint32_t>> label_of_line_;  // [file][line] -> label index
  std::vector<std::string> labels_;
  absl::flat_hash_map<std::string, uint32_t> label_index_;
  std::vector<LabelStats> stats_;
  uint64_t records_ = 0;
};

}  // namespace kizuna::exercise
