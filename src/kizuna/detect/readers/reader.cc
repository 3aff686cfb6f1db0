// Kizuna.
#include "kizuna/detect/readers/reader.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "kizuna/base/strings.h"
#include "kizuna/detect/readers/json_reader.h"
#include "kizuna/detect/readers/zeek_tsv.h"

namespace kizuna::detect {

std::optional<TelemetryFormat> ParseTelemetryFormat(std::string_view name) {
  if (name == "auto") return TelemetryFormat::kAuto;
  if (name == "zeek") return TelemetryFormat::kZeek;
  if (name == "eve") return TelemetryFormat::kEve;
  if (name == "jsonl") return TelemetryFormat::kJsonl;
  return std::nullopt;
}

TelemetryReader::TelemetryReader(const ReaderOptions& options) : options_(options) {}

void TelemetryReader::Attach(std::unique_ptr<LineReader> in) {
  in_ = std::move(in);
  file_log_type_ = LogTypeFromPath(in_->path());
  pending_ = true;
}

bool TelemetryReader::Next(RecordBatch& batch) {
  batch.Clear();
  while (batch.records.size() < options_.batch_records) {
    if (!pending_) {
      if (!in_->Refill()) break;
      pending_ = true;
    }
    LineReader::Line line;
    if (!in_->NextLine(line)) {
      pending_ = false;
      // Records view the block: refill only under an empty batch.
      if (!batch.records.empty()) break;
      continue;
    }
    if (line.too_long) {
      batch.AddMalformed(line.number,
                         StrCat("line longer than ", options_.max_line_bytes, " bytes"));
    } else {
      DoLine(line.text, line.number, batch);
    }
  }
  batch.bytes = in_->bytes() - reported_bytes_;
  reported_bytes_ = in_->bytes();
  return !batch.records.empty() || batch.malformed > 0 || batch.bytes > 0;
}

absl::StatusOr<std::unique_ptr<TelemetryReader>> OpenTelemetry(const std::string& path,
                                                                TelemetryFormat format,
                                                                const ReaderOptions& options) {
  auto in = std::make_unique<LineReader>(options.max_line_bytes);
  if (absl::Status st = in->Open(path); !st.ok()) return st;
  in->Refill();
  std::unique_ptr<TelemetryReader> reader;
  if (format == TelemetryFormat::kAuto || format == TelemetryFormat::kZeek) {
    std::string_view head = in->Peek();
    while (!head.empty() && (head.front() == ' ' || head.front() == '\n' || head.front() == '\r')) {
      head.remove_prefix(1);
    }
    if (!head.empty() && head.front() == '#') {
      reader = std::make_unique<ZeekTsvReader>(options);
    }
  }
  if (reader == nullptr) reader = std::make_unique<JsonReader>(options, format);
  reader->Attach(std::move(in));
  return reader;
}

absl::StatusOr<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& inputs) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const std::string& input : inputs) {
    if (input == "-") {
      out.push_back(input);
      continue;
    }
    std::error_code ec;
    const fs::file_status status = fs::status(input, ec);
    if (ec || !fs::exists(status)) return absl::NotFoundError(StrCat(input, ": no such file"));
    if (!fs::is_directory(status)) {
      out.push_back(input);
      continue;
    }
    std::vector<std::string> files;
    for (auto it = fs::recursive_directory_iterator(input, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (!name.empty() && name[0] == '.') {
        if (it->is_directory()) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file()) files.push_back(it->path().string());
    }
    if (ec) return absl::InternalError(StrCat(input, ": ", ec.message()));
    std::sort(files.begin(), files.end());
    out.insert(out.end(), files.begin(), files.end());
  }
  return out;
}

std::string LogTypeFromPath(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return std::string(name.substr(0, name.find('.')));
}

}  // namespace kizuna::detect
