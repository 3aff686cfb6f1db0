// Kizuna. Telemetry readers: Zeek TSV, Zeek JSON, Suricata EVE JSON, JSON lines.
#pragma once

// A TelemetryReader turns one input (file, gzip file or standard input) into records (record.h):
// each line becomes a Record whose values carry the Role its field map gives them.
// Malformed lines (wrong field count, broken JSON, over-long lines, data before a header)
// are counted with their line number and reason and skipped: nothing in the input stops
// the reader except the end of it.
//
// The work is split in two so that several threads can read one input:
//   NextBlock   cuts the next whole lines into a LineBlock (line_block.h); it also keeps
//               what carries from line to line (Zeek TSV headers) and gives each block the
//               state in force for its lines. One thread at a time.
//   LineParser  parses a block into a RecordBatch; one per thread (NewParser), any number
//               of blocks of this reader, in any order.
// Next() does both, for one thread:
//
//   KZ_ASSIGN_OR_RETURN(std::unique_ptr<TelemetryReader> reader,
//                       OpenTelemetry(path, TelemetryFormat::kAuto, options));
//   RecordBatch batch;
//   while (reader->Next(batch)) matcher.MatchBatch(*snapshot, batch, matches);
//
//   // several threads: under a lock            // then, outside it
//   reader->NextBlock(block);                   parser->Parse(block, batch);
//
// Records view the block and the parser: a batch is valid until its block is reused (for
// Next(), the next Next()) and while its parser lives.
//
// Thread-safety: NextBlock and Next from one thread at a time; NewParser from any thread;
// a parser belongs to one thread.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/detect/field_map.h"
#include "kizuna/detect/readers/line_block.h"
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

// A block ends after the line that brings it to this many bytes (or at batch_records lines).
inline constexpr size_t kBlockBytes = 1 << 20;

struct ReaderOptions {
  // Lines longer than this are reported and skipped (line_reader.h).
  size_t max_line_bytes = kDefaultMaxLineBytes;
  // Lines per block, so records per batch: a few hundred keeps a batch's values in cache.
  size_t batch_records = 512;
  // For kJsonl (and fields the built-in maps miss): entries added to the built-in maps.
  // Null for none. Must outlive the reader.
  const FieldMap* user_map = nullptr;
  // JSON: use the DOM walk, which parses and checks every value, even where the faster
  // On-Demand walk runs (json_reader.h). Default false; for comparing the two.
  bool json_dom = false;
  // Following growing files and stopping (line_reader.h); default: read to the end.
  FollowOptions follow;
};

// Parses blocks of one reader's lines into records. Implementations (ZeekTsvReader,
// JsonReader) provide DoLine().
class LineParser {
 public:
  virtual ~LineParser() = default;
  LineParser(const LineParser&) = delete;
  LineParser& operator=(const LineParser&) = delete;

  // Clears `batch` and fills it with the records and malformed lines of `block`.
  void Parse(const LineBlock& block, RecordBatch& batch);

 protected:
  LineParser(const ReaderOptions& options, std::string file_log_type);

  // Parses one line into `batch`: appends a Record (and its values), calls
  // batch.AddMalformed, or neither (headers, blank lines).
  virtual void DoLine(std::string_view line, uint64_t number, const LineBlock& block,
                      RecordBatch& batch) = 0;

  ReaderOptions options_;
  // The log type from the file name ("dns" for ".../dns.04:00:00-05:00:00.log.gz").
  std::string file_log_type_;
};

class ZeekTsvHeaders;

class TelemetryReader {
 private:
  enum class Kind : uint8_t { kZeekTsv, kJson };
  struct PrivateTag {
    explicit PrivateTag() = default;
  };

 public:
  // For OpenTelemetry.
  TelemetryReader(PrivateTag, const ReaderOptions& options, TelemetryFormat format, Kind kind,
                  std::unique_ptr<LineReader> in);
  ~TelemetryReader();
  TelemetryReader(const TelemetryReader&) = delete;
  TelemetryReader& operator=(const TelemetryReader&) = delete;

  // Replaces `block` with the next lines (at most ReaderOptions::batch_records, about
  // kBlockBytes). Returns false once the input is exhausted and nothing was read. Input
  // that has arrived is not held back: a block ends where the input read so far ends.
  bool NextBlock(LineBlock& block);

  // A parser for this reader's blocks, for one thread.
  std::unique_ptr<LineParser> NewParser() const;

  // NextBlock and Parse with a parser of the reader's own: clears `batch` and fills it
  // with the next records. Returns false once the input is exhausted and the batch empty.
  bool Next(RecordBatch& batch);

  // Drops the data lines numbered up to `line` (read by an earlier run: `kizuna match
  // --resume`) instead of handing them out; header lines are still read. Call before reading.
  void SkipThrough(uint64_t line) { skip_through_ = line; }
  // The number of the last line read so far (0: none).
  uint64_t lines() const { return last_line_; }

  const std::string& path() const { return in_->path(); }
  // Empty, or why the input ended early (e.g. a truncated gzip stream).
  const std::string& error() const { return in_->error(); }
  uint64_t bytes() const { return in_->bytes(); }

 private:
  friend absl::StatusOr<std::unique_ptr<TelemetryReader>> OpenTelemetry(
      const std::string&, TelemetryFormat, const ReaderOptions&);
  friend std::unique_ptr<TelemetryReader> OpenTelemetryText(const std::string&, std::string_view,
                                                            TelemetryFormat, const ReaderOptions&);
  // The reader of `in` (opened), its kind sniffed from its first bytes.
  static std::unique_ptr<TelemetryReader> Make(std::unique_ptr<LineReader> in,
                                               TelemetryFormat format,
                                               const ReaderOptions& options);

  ReaderOptions options_;
  TelemetryFormat format_;
  Kind kind_;
  std::unique_ptr<LineReader> in_;
  std::string file_log_type_;
  std::unique_ptr<ZeekTsvHeaders> headers_;  // kZeekTsv
  bool pending_ = false;  // the input's buffer may hold more lines
  uint64_t reported_bytes_ = 0;
  uint64_t sequence_ = 0;
  uint64_t skip_through_ = 0;
  uint64_t last_line_ = 0;
  // Next():
  std::unique_ptr<LineParser> parser_;
  LineBlock block_;
};

// Opens `path` ("-": standard input) as `format`. NotFound etc. naming the path.
absl::StatusOr<std::unique_ptr<TelemetryReader>> OpenTelemetry(const std::string& path,
                                                                TelemetryFormat format,
                                                                const ReaderOptions& options);

// Reads `text` (in memory: a batch from a message bus) as `format`, as if it were the file
// `name` (its log type, the inputs named in problems). Never fails: bad lines are counted.
// REQUIRES: `text` outlives the reader. options.follow does not apply.
std::unique_ptr<TelemetryReader> OpenTelemetryText(const std::string& name, std::string_view text,
                                                   TelemetryFormat format,
                                                   const ReaderOptions& options);

// Expands inputs: a directory gives its regular files (recursively, sorted, hidden ones
// skipped); "-" and files are kept. NotFound naming an input that does not exist.
absl::StatusOr<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& inputs);

// Returns the log type a file name implies: the name up to its first '.' ("dns").
std::string LogTypeFromPath(std::string_view path);

}  // namespace kizuna::detect
