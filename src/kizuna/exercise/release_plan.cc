// Kizuna.
#include "kizuna/exercise/release_plan.h"

#include <charconv>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_split.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::exercise {
namespace {

// "1793577600.412345" -> microseconds; false when it is no number.
bool ParseSeconds(std::string_view text, int64_t& us) {
  double seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(seconds)) return false;
  us = static_cast<int64_t>(std::llround(seconds * 1e6));
  return true;
}

}  // namespace

absl::StatusOr<ReleasePlan> ReleasePlan::Build(std::map<std::string, std::string> files,
                                               std::string_view truth, std::string_view origin) {
  ReleasePlan plan;
  absl::flat_hash_map<std::string, size_t> index;
  for (auto& [name, bytes] : files) {
    File& f = plan.files_.emplace_back();
    f.name = name;
    f.bytes = std::move(bytes);
    for (size_t at = 0; at < f.bytes.size();) {
      size_t nl = f.bytes.find('\n', at);
      at = nl == std::string::npos ? f.bytes.size() : nl + 1;
      f.line_end.push_back(at);
    }
    f.due_us.assign(f.line_end.size(), INT64_MIN);
    f.record.assign(f.line_end.size(), 0);
    index.emplace(f.name, plan.files_.size() - 1);
  }
  uint64_t number = 0;
  for (absl::string_view piece : absl::StrSplit(AbslView(truth), '\n')) {
    ++number;
    std::string_view line = View(piece);
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string_view> cols;
    for (absl::string_view col : absl::StrSplit(piece, '\t')) cols.push_back(View(col));
    uint64_t n = 0;
    int64_t us = 0;
    auto where = [&] { return StrCat(origin, ":", number, ": "); };
    if (cols.size() != 4) return absl::InvalidArgumentError(StrCat(where(), "expected file, line, ts, label"));
    auto [end, ec] = std::from_chars(cols[1].data(), cols[1].data() + cols[1].size(), n);
    if (ec != std::errc() || end != cols[1].data() + cols[1].size() || !ParseSeconds(cols[2], us)) {
      return absl::InvalidArgumentError(StrCat(where(), "line and ts must be numbers"));
    }
    auto f = index.find(std::string(cols[0]));
    if (f == index.end() || n == 0 || n > plan.files_[f->second].line_end.size()) {
      return absl::InvalidArgumentError(StrCat(where(), "no line ", n, " in ", cols[0]));
    }
    File& file = plan.files_[f->second];
    file.due_us[n - 1] = us;
    file.record[n - 1] = 1;
    ++plan.records_;
    plan.first_us_ = std::min(plan.first_us_, us);
    plan.last_us_ = std::max(plan.last_us_, us);
  }
  // A header goes with the line before it.
  for (File& f : plan.files_) {
    for (size_t i = 1; i < f.due_us.size(); ++i) {
      if (!f.record[i]) f.due_us[i] = f.due_us[i - 1];
    }
  }
  return plan;
}

std::vector<TelemetryChunk> ReleasePlan::ReleaseUntil(int64_t until_us) {
  std::vector<TelemetryChunk> out;
  for (File& f : files_) {
    size_t from = f.next_line;
    while (f.next_line < f.line_end.size() && f.due_us[f.next_line] <= until_us) {
      released_records_ += f.record[f.next_line];
      ++f.next_line;
    }
    if (f.next_line == from) continue;
    size_t begin = from == 0 ? 0 : f.line_end[from - 1];
    out.push_back({f.name, std::string_view(f.bytes).substr(begin, f.line_end[f.next_line - 1] - begin)});
  }
  return out;
}

}  // namespace kizuna::exercise
