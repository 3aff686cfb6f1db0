// Kizuna.
#include "kizuna/exercise/ground_truth.h"

#include "absl/strings/numbers.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/event_time.h"
#include "kizuna/exercise/internal/lines.h"

namespace kizuna::exercise {
namespace {

// Splits `line` at tabs into exactly `n` fields; false when the count differs.
bool Split(std::string_view line, std::string_view* fields, size_t n) {
  size_t i = 0;
  while (i + 1 < n) {
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos) return false;
    fields[i++] = line.substr(0, tab);
    line.remove_prefix(tab + 1);
  }
  if (line.find('\t') != std::string_view::npos) return false;
  fields[i] = line;
  return true;
}

}  // namespace

std::string TruthHeader() { return "#kizuna-exercise-truth\t1\n#fields\tfile\tline\tts\tlabel\n"; }

absl::StatusOr<GroundTruth> GroundTruth::Parse(std::string_view text, std::string_view origin) {
  GroundTruth t;
  uint64_t line_no = 0;
  int last_file = -1;
  std::string_view last_file_name;
  uint32_t last_label = kNoLabel;
  std::string_view last_label_name;
  auto bad = [&](std::string_view what) {
    return absl::InvalidArgumentError(StrCat(origin, ":", line_no, ": ", what));
  };
  if (!text.starts_with("#kizuna-exercise-truth\t1\n")) {
    line_no = 1;
    return bad("not a truth file (expected '#kizuna-exercise-truth 1' first)");
  }
  KZ_RETURN_IF_ERROR(exercise_internal::ForEachLine(
      text, [&](uint64_t number, std::string_view line) -> absl::Status {
        line_no = number;
        if (line[0] == '#') return absl::OkStatus();
        std::string_view f[4];
        if (!Split(line, f, 4)) return bad("expected file, line, ts and label separated by tabs");
        uint64_t n = 0;
        if (!absl::SimpleAtoi(AbslView(f[1]), &n) || n == 0 || n > (uint64_t{1} << 40))
          return bad("bad line number");
        std::optional<int64_t> ts = detect::ParseEventTime(f[2]);
        if (!ts) return bad(StrCat("'", f[2], "' is not a time"));
        if (last_file < 0 || f[0] != last_file_name) {
          auto [it, inserted] =
              t.file_index_.try_emplace(AbslView(f[0]), static_cast<int>(t.files_.size()));
          if (inserted) {
            if (t.files_.size() >= kMaxTruthFiles)
              return bad(StrCat("more than ", kMaxTruthFiles, " files"));
            t.files_.emplace_back(f[0]);
            t.label_of_line_.emplace_back();
          }
          last_file = it->second;
          last_file_name = t.files_[last_file];
        }
        if (last_label == kNoLabel || f[3] != last_label_name) {
          auto [it, inserted] =
              t.label_index_.try_emplace(AbslView(f[3]), static_cast<uint32_t>(t.labels_.size()));
          if (inserted) {
            if (t.labels_.size() >= kMaxTruthLabels)
              return bad(StrCat("more than ", kMaxTruthLabels, " labels"));
            t.labels_.emplace_back(f[3]);
            t.stats_.emplace_back();
          }
          last_label = it->second;
          last_label_name = t.labels_[last_label];
        }
        std::vector<uint32_t>& lines = t.label_of_line_[last_file];
        if (lines.size() <= n) lines.resize(std::max<size_t>(n + 1, lines.size() * 2), kNoLabel);
        lines[n] = last_label;
        LabelStats& s = t.stats_[last_label];
        ++s.records;
        s.first_us = std::min(s.first_us, *ts);
        s.last_us = std::max(s.last_us, *ts);
        ++t.records_;
        return absl::OkStatus();
      }));
  return t;
}

int GroundTruth::FindFile(std::string_view input) const {
  auto it = file_index_.find(AbslView(input));
  if (it != file_index_.end()) return it->second;
  for (size_t i = 0; i < files_.size(); ++i) {
    const std::string& f = files_[i];
    if (input.size() > f.size() && input.ends_with(f) &&
        input[input.size() - f.size() - 1] == '/') {
      return static_cast<int>(i);
    }
  }
  return -1;
}

uint32_t GroundTruth::LabelAt(int file, uint64_t line) const {
  if (file < 0 || static_cast<size_t>(file) >= label_of_line_.size()) return kNoLabel;
  const std::vector<uint32_t>& lines = label_of_line_[file];
  return line < lines.size() ? lines[line] : kNoLabel;
}

}  // namespace kizuna::exercise
