// Kizuna. Telemetry readers: Zeek TSV, Zeek JSON, Suricata EVE JSON, JSON lines.
#pragma once

// A TelemetryReader turns one input (file, gzip file or standard input) into RecordBatches
// (record.h): each line becomes a Record whose values carry the Role its field map gives
// them. Malformed lines (wrong field count, broken JSON, over-long lines, data before a
// header) are counted in the batch with their line number and reason and skipped: nothing
// in the input stops the reader except the end of it. Implementations provide DoLine().
//
//   KZ_ASSIGN_OR_RETURN(std::unique_ptr<TelemetryReader> reader,
//                       OpenTelemetry(path, TelemetryFormat::kAuto, options));
//   RecordBatch batch;
//   while (reader->Next(batch)) matcher.MatchBatch(*snapshot, batch, matches);
//
// Records view the reader's current block: a batch is valid until the next Next().
//
// Thread-safety: a reader belongs to one thread.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/detect/field_map.h"
#include "kizuna/detect/readers/line_reader.h"
#include "kizuna/detect/record.h"

namespace kizuna::detect {

enum class TelemetryFormat : uint8_t {
  kAuto,   // by the first byte: '#' Zeek TSV, else JSON (EVE, Zeek or generic by line)
  kZeek,   // Zeek TSV or Zeek JSON
  kEve,    // Suricata EVE JSON
  kJsonl,  // JSON lines through a user field map
};

// Parses "zeek", "eve", "jsonl", "auto".
std::optional<TelemetryFormat> ParseTelemetryFormat(std::string_view name);

struct ReaderOptions {
  // Lines longer than this are reported and skipped (line_reader.h).
  size_t max_line_bytes = kDefaultMaxLineBytes;
  // Records per batch: a few hundred keeps a batch's values in cache.
  size_t batch_records = 512;
  // For kJsonl (and fields the built-in maps miss): entries added to the built-in maps.
  // Null for none. Must outlive the reader.
  const FieldMap* user_map = nullptr;
  // JSON: use the DOM walk, which parses and checks every value, even where the faster
  // On-Demand walk runs (json_reader.h). Default false; for comparing the two.
  bool json_dom = false;
};

class TelemetryReader {
 public:
  virtual ~TelemetryReader() = default;
  TelemetryReader(const TelemetryReader&) = delete;
  TelemetryReader& operator=(const TelemetryReader&) = delete;

  // Clears `batch` and fills it with the next records. Returns false once the input is
  // exhausted and the batch is empty.
  bool Next(RecordBatch& batch);

  const std::string& path() const { return in_->path(); }
  // Empty, or why the input ended early (e.g. a truncated gzip stream).
  const std::string& error() const { return in_->error(); }
  uint64_t bytes() const { return in_->bytes(); }

 protected:
  explicit TelemetryReader(const ReaderOptions& options);
  friend absl::StatusOr<std::unique_ptr<TelemetryReader>> OpenTelemetry(
      const std::string&, TelemetryFormat, const ReaderOptions&);
  // Takes the opened input (OpenTelemetry has read its first block already).
  void Attach(std::unique_ptr<LineReader> in);

  // Parses one line into `batch`: appends a Record (and its values), calls
  // batch.AddMalformed, or neither (headers, blank lines).
  virtual void DoLine(std::string_view line, uint64_t number, RecordBatch& batch) = 0;

  ReaderOptions options_;
  std::unique_ptr<LineReader> in_;
  // The log type from the file name ("dns" for ".../dns.04:00:00-05:00:00.log.gz").
  std::string file_log_type_;

 private:
  bool pending_ = false;  // the block may hold more lines
  uint64_t reported_bytes_ = 0;
};

// Opens `path` ("-": standard input) as `format`. NotFound etc. naming the path.
absl::StatusOr<std::unique_ptr<TelemetryReader>> OpenTelemetry(const std::string& path,
                                                                TelemetryFormat format,
                                                                const ReaderOptions& options);

// Expands inputs: a directory gives its regular files (recursively, sorted, hidden ones
// skipped); "-" and files are kept. NotFound naming an input that does not exist.
absl::StatusOr<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& inputs);

// Returns the log type a file name implies: the name up to its first '.' ("dns").
std::string LogTypeFromPath(std::string_view path);

}  // namespace kizuna::detect
