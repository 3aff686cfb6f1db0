// Kizuna. Zeek's tab-separated log format.
#pragma once

// ZeekTsvReader reads Zeek's ASCII logs: header lines (#separator, #set_separator,
// #empty_field, #unset_field, #path, #fields, #types; others ignored) and data lines of
// exactly as many fields as #fields names. Unset ("-") and empty ("(empty)") values give
// nothing; set[...] and vector[...] fields give one value per element; \xHH escapes are
// undone. A header may appear again mid-file (concatenated logs): it applies from there.
// Malformed: a data line before #fields, a field count other than #fields', a #types whose
// count differs from #fields'.
//
// Thread-safety: one thread.

#include <deque>
#include <string>
#include <vector>

#include "kizuna/detect/readers/reader.h"

namespace kizuna::detect {

class ZeekTsvReader final : public TelemetryReader {
 public:
  explicit ZeekTsvReader(const ReaderOptions& options);

 private:
  void DoLine(std::string_view line, uint64_t number, RecordBatch& batch) override;
  void Header(std::string_view line, uint64_t number, RecordBatch& batch);
  void Resolve();
  void AddValue(std::string_view value, size_t field, bool escaped, RecordBatch& batch);

  char separator_ = '\t';
  char set_separator_ = ',';
  std::string empty_ = "(empty)";
  std::string unset_ = "-";
  // #path (else the file's log type) and #fields of each header seen; records point at the
  // current ones, so earlier ones stay put.
  std::deque<std::string> paths_;
  std::deque<std::vector<std::string>> fields_;
  std::string pending_path_;
  std::vector<bool> container_;       // per field: set[...] or vector[...]
  std::vector<Role> roles_;           // per field, from the field map
  int time_field_ = -1;
  bool have_fields_ = false;
  std::vector<std::string_view> parts_;
  std::string unescaped_;
};

}  // namespace kizuna::detect
