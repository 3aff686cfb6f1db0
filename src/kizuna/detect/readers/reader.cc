// Kizuna.
#include "kizuna/detect/readers/reader.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "kizuna/base/strings.h"
#include "kizuna/detect/readers/json_reader.h"
#include "kizuna/detect/readers/zeek_tsv.h"
#include "simdjson.h"

namespace kizuna::detect {

std::optional<TelemetryFormat> ParseTelemetryFormat(std::string_view name) {
  if (name == "auto") return TelemetryFormat::kAuto;
  if (name == "zeek") return TelemetryFormat::kZeek;
  if (name == "eve") return TelemetryFormat::kEve;
  if (name == "jsonl") return TelemetryFormat::kJsonl;
  return std::nullopt;
}

LineParser::LineParser(const ReaderOptions& options, std::string file_log_type)
    : options_(options), file_log_type_(std::move(file_log_type)) {}

void LineParser::Parse(const LineBlock& block, RecordBatch& batch) {
  batch.Clear();
  for (const Malformed& m : block.malformed) batch.AddMalformed(m.line, m.reason);
  const char* const text = block.text.data();
  uint64_t number = block.first_line;
  size_t next_long = 0;
  size_t begin = 0;
  // Every line of a block ends in '\n', at the offset the cutting found (LineBlock::ends).
  for (const size_t end : block.ends) {
    if (next_long < block.too_long.size() && block.too_long[next_long] == number) {
      ++next_long;
      batch.AddMalformed(number, StrCat("line longer than ", options_.max_line_bytes, " bytes"));
    } else {
      DoLine(std::string_view(text + begin, end - 1 - begin), number, block, batch);
    }
    begin = end;
    ++number;
  }
  batch.bytes = block.bytes;
}

TelemetryReader::TelemetryReader(PrivateTag, const ReaderOptions& options,
                                 TelemetryFormat format, Kind kind,
                                 std::unique_ptr<LineReader> in)
    : options_(options),
      format_(format),
      kind_(kind),
      in_(std::move(in)),
      file_log_type_(LogTypeFromPath(in_->path())),
      pending_(true) {
  if (kind_ == Kind::kZeekTsv) headers_ = std::make_unique<ZeekTsvHeaders>(options_, file_log_type_);
}

TelemetryReader::~TelemetryReader() = default;

std::unique_ptr<LineParser> TelemetryReader::NewParser() const {
  if (kind_ == Kind::kZeekTsv) return std::make_unique<ZeekTsvReader>(options_, file_log_type_);
  return std::make_unique<JsonReader>(options_, format_, file_log_type_);
}

bool TelemetryReader::NextBlock(LineBlock& block) {
  block.Clear();
  block.sequence = sequence_;
  if (headers_ != nullptr) block.state = headers_->current();
  bool data = false;  // the block holds a data line
  // Data lines that follow each other in the input's buffer, as they were read (no "\r\n"),
  // are copied into the block in one piece: `run`, not yet in block.text. Lines are views
  // into the buffer only until the next Refill(), so the run is copied before that.
  const char* run = nullptr;
  size_t run_size = 0;
  const auto flush = [&block, &run_size, &run] {
    if (run_size > 0) block.AppendLines(std::string_view(run, run_size));
    run_size = 0;
  };
  while (block.lines < options_.batch_records && block.text.size() + run_size < kBlockBytes) {
    if (!pending_) {
      // Refilling may wait for input: hand out what is there first.
      if (block.lines > 0) break;
      flush();
      if (!in_->Refill()) break;
      pending_ = true;
    }
    LineReader::Line line;
    if (!in_->NextLine(line)) {
      pending_ = false;
      continue;
    }
    last_line_ = line.number;
    const bool header = headers_ != nullptr && !line.text.empty() && line.text[0] == '#';
    if (line.number <= skip_through_ && !header) {
      if (block.lines > 0) break;  // a block's lines follow each other
      continue;
    }
    if (block.lines == 0) block.first_line = line.number;
    if (!line.too_long && !header && line.text.data()[line.text.size()] == '\n') {
      // A data line as read (the reader's buffer holds its '\n' right after it).
      data = true;
      if (run_size == 0 || line.text.data() != run + run_size) {
        flush();
        run = line.text.data();
      }
      run_size += line.text.size() + 1;
      block.ends.push_back(block.text.size() + run_size);
      ++block.lines;
      continue;
    }
    flush();
    if (line.too_long) {
      block.too_long.push_back(line.number);
      block.Append({});
      continue;
    }
    if (header) {
      headers_->Line(line.text, line.number, block.malformed);
      block.Append(line.text);
      // The data lines before a header keep the block's state; those after it get the next.
      if (data) break;
      block.state = headers_->current();
      continue;
    }
    data = true;  // a line that ended in "\r\n"
    block.Append(line.text);
  }
  flush();
  block.size = block.text.size();
  block.text.append(simdjson::SIMDJSON_PADDING, '\0');
  block.bytes = in_->bytes() - reported_bytes_;
  reported_bytes_ = in_->bytes();
  if (block.lines == 0 && block.bytes == 0 && block.malformed.empty()) return false;
  ++sequence_;
  return true;
}

bool TelemetryReader::Next(RecordBatch& batch) {
  if (parser_ == nullptr) parser_ = NewParser();
  if (!NextBlock(block_)) {
    batch.Clear();
    return false;
  }
  parser_->Parse(block_, batch);
  return true;
}

std::unique_ptr<TelemetryReader> TelemetryReader::Make(std::unique_ptr<LineReader> in,
                                                      TelemetryFormat format,
                                                      const ReaderOptions& options) {
  in->Refill();
  TelemetryReader::Kind kind = TelemetryReader::Kind::kJson;
  if (format == TelemetryFormat::kAuto || format == TelemetryFormat::kZeek) {
    std::string_view head = in->Peek();
    while (!head.empty() && (head.front() == ' ' || head.front() == '\n' || head.front() == '\r')) {
      head.remove_prefix(1);
    }
    if (!head.empty() && head.front() == '#') kind = TelemetryReader::Kind::kZeekTsv;
  }
  return std::make_unique<TelemetryReader>(PrivateTag{}, options, format, kind, std::move(in));
}

absl::StatusOr<std::unique_ptr<TelemetryReader>> OpenTelemetry(const std::string& path,
                                                                TelemetryFormat format,
                                                                const ReaderOptions& options) {
  auto in = std::make_unique<LineReader>(options.max_line_bytes, options.follow);
  if (absl::Status st = in->Open(path); !st.ok()) return st;
  return TelemetryReader::Make(std::move(in), format, options);
}

std::unique_ptr<TelemetryReader> OpenTelemetryText(const std::string& name, std::string_view text,
                                                   TelemetryFormat format,
                                                   const ReaderOptions& options) {
  auto in = std::make_unique<LineReader>(options.max_line_bytes);
  in->OpenText(name, text);
  return TelemetryReader::Make(std::move(in), format, options);
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
