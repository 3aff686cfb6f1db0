// Kizuna. Test helper: every record of a telemetry input, copied out of the batches.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/readers/reader.h"

namespace kizuna::detect {

// Writes `content` to `name` in the test's temporary directory; returns the path.
inline std::string Temp(std::string_view name, std::string_view content) {
  const std::string path = StrCat(testing::TempDir(), "/", name);
  EXPECT_TRUE(WriteFileAtomically(path, content).ok());
  return path;
}

struct ReadRecord {
  std::string log_type;
  std::string raw;
  uint64_t line = 0;
  int64_t time_us = 0;
  bool has_time = false;
  std::string bad_time;
  std::vector<std::pair<Role, std::string>> values;
  std::vector<std::string> fields;  // field name of each value
  // Values of `role`, in order.
  std::vector<std::string> Of(Role role) const {
    std::vector<std::string> out;
    for (const auto& [r, v] : values) {
      if (r == role) out.push_back(v);
    }
    return out;
  }
};

struct ReadResult {
  std::vector<ReadRecord> records;
  uint64_t malformed = 0;
  std::vector<Malformed> kept;
  std::string error;
  uint64_t bytes = 0;
};

inline ReadResult ReadAll(const std::string& path, TelemetryFormat format,
                          ReaderOptions options = {}) {
  ReadResult out;
  absl::StatusOr<std::unique_ptr<TelemetryReader>> reader = OpenTelemetry(path, format, options);
  EXPECT_TRUE(reader.ok()) << reader.status();
  if (!reader.ok()) return out;
  RecordBatch batch;
  while ((*reader)->Next(batch)) {
    for (const Record& r : batch.records) {
      ReadRecord rr;
      rr.log_type = std::string(r.log_type);
      rr.raw = std::string(r.raw);
      rr.line = r.line;
      rr.time_us = r.time_us;
      rr.has_time = r.has_time;
      rr.bad_time = std::string(r.bad_time);
      for (const FieldValue& v : batch.ValuesOf(r)) {
        rr.values.emplace_back(v.role, std::string(v.value));
        rr.fields.emplace_back(batch.FieldName(r, v));
      }
      out.records.push_back(std::move(rr));
    }
    out.malformed += batch.malformed;
    out.kept.insert(out.kept.end(), batch.malformed_kept.begin(), batch.malformed_kept.end());
    out.bytes += batch.bytes;
  }
  out.error = (*reader)->error();
  return out;
}

}  // namespace kizuna::detect
