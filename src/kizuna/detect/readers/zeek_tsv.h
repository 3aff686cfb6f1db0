// Kizuna. Zeek's tab-separated log format.
#pragma once

// Zeek's ASCII logs: header lines (#separator, #set_separator, #empty_field, #unset_field,
// #path, #fields, #types; others ignored) and data lines of exactly as many fields as
// #fields names. Unset ("-") and empty ("(empty)") values give nothing; set[...] and
// vector[...] fields give one value per element; \xHH escapes are undone. A header may
// appear again mid-file (concatenated logs): it applies from there.
// Malformed: a data line before #fields, a field count other than #fields', a #types whose
// count differs from #fields'.
//
// Headers are followed where the input is cut into blocks (ZeekTsvHeaders, one per input),
// so that each block carries the ZeekHeader in force for its data lines; ZeekTsvReader
// parses the data lines of blocks, one per thread.
//
// Thread-safety: ZeekTsvHeaders and ZeekTsvReader belong to one thread each; a ZeekHeader
// is immutable once published.

#include <memory>
#include <string>
#include <vector>

#include "kizuna/detect/readers/reader.h"

namespace kizuna::detect {

// The header in force for a run of data lines.
struct ZeekHeader final : BlockState {
  char separator = '\t';
  char set_separator = ',';
  std::string empty = "(empty)";
  std::string unset = "-";
  std::string path;                 // #path, else the file's log type
  std::vector<std::string> fields;  // #fields
  std::vector<char> container;      // per field: set[...] or vector[...]
  std::vector<Role> roles;          // per field, from the field map
  std::vector<uint32_t> wanted;     // the fields whose role gives values (not kNone, kTime)
  int time_field = -1;
  size_t kept = 0;  // data lines are split up to here: the last wanted or time field + 1
  bool have_fields = false;
};

// Follows the header lines of one input.
class ZeekTsvHeaders {
 public:
  ZeekTsvHeaders(const ReaderOptions& options, std::string file_log_type);

  // Applies header line `line` (it starts with '#'): the header in force changes, as a new
  // ZeekHeader. Problems are appended to `malformed`.
  void Line(std::string_view line, uint64_t number, std::vector<Malformed>& malformed);

  // The header in force (never null).
  const std::shared_ptr<const ZeekHeader>& current() const { return current_; }

 private:
  void Resolve(ZeekHeader& header) const;

  const FieldMap* user_map_;
  std::string file_log_type_;
  std::string pending_path_;  // the last #path
  std::shared_ptr<const ZeekHeader> current_;
  std::vector<std::string_view> parts_;
};

class ZeekTsvReader final : public LineParser {
 public:
  ZeekTsvReader(const ReaderOptions& options, std::string file_log_type);

 private:
  void DoLine(std::string_view line, uint64_t number, const LineBlock& block,
              RecordBatch& batch) override;
  void AddValue(const ZeekHeader& h, std::string_view value, size_t field, bool escaped,
                RecordBatch& batch);

  std::vector<std::string_view> parts_;
  std::string unescaped_;
};

}  // namespace kizuna::detect
