// Kizuna. Telemetry records as readers produce them and the matcher consumes them.
#pragma once

// A Record is one line of telemetry (a Zeek log entry, a Suricata EVE event, a JSON line)
// reduced to what detection needs: its log type, time, raw text, and the values of the
// fields its field map gives a Role (observable.h). Values are views into the input block
// or into the batch's text pool; a field holding a list (Zeek sets and vectors, JSON
// arrays) gives one value per element.
//
// Readers fill a RecordBatch a few hundred records at a time, so the matcher can hash and
// prefetch a whole batch of lookups before probing any (DRAM latency is the cost of cold
// lookups), and the memory stays in cache.
//
// Thread-safety: a batch belongs to one thread.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kizuna/detect/internal/text_pool.h"
#include "kizuna/detect/observable.h"

namespace kizuna::detect {

struct FieldValue {
  std::string_view value;
  Role role = Role::kNone;
  uint16_t field = 0;  // index into the record's field_names
};

struct Record {
  std::string_view log_type;  // "dns", "ssl", "alert", ...
  std::string_view raw;       // the line, without its newline
  int64_t time_us = 0;        // event time, microseconds since the epoch
  bool has_time = false;
  // Without a time: the text of the time field that is no time ("-", a masked value), or
  // empty when the record has no time field; a view into the line or the batch's text.
  std::string_view bad_time;
  bool json = false;          // raw is one JSON object
  uint64_t line = 0;          // 1-based line number in its input
  uint32_t first_value = 0;   // this record's values in RecordBatch::values
  uint32_t value_count = 0;
  const std::vector<std::string>* field_names = nullptr;  // names for FieldValue::field
};

// A line that could not be read, and why.
struct Malformed {
  uint64_t line = 0;
  std::string reason;
};

struct RecordBatch {
  std::vector<Record> records;
  std::vector<FieldValue> values;
  detect_internal::TextPool text;  // copies that values may view
  uint64_t malformed = 0;          // lines skipped in this batch
  std::vector<Malformed> malformed_kept;  // the first few, with reasons
  uint64_t bytes = 0;              // input bytes consumed

  void Clear() {
    records.clear();
    values.clear();
    text.Clear();
    malformed = 0;
    malformed_kept.clear();
    bytes = 0;
  }
  std::span<const FieldValue> ValuesOf(const Record& r) const {
    return {values.data() + r.first_value, r.value_count};
  }
  std::string_view FieldName(const Record& r, const FieldValue& v) const {
    return r.field_names != nullptr && v.field < r.field_names->size()
               ? std::string_view((*r.field_names)[v.field])
               : std::string_view();
  }
  // Records a malformed line; keeps the reason of the first `keep` of the batch.
  void AddMalformed(uint64_t line, std::string reason, size_t keep = 16) {
    ++malformed;
    if (malformed_kept.size() < keep) malformed_kept.push_back({line, std::move(reason)});
  }
};

}  // namespace kizuna::detect
