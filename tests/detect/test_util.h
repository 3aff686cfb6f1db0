// Kizuna. Helpers for the detection tests: records built by hand.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kizuna/detect/record.h"

namespace kizuna::detect {

// Appends a record of `log_type` whose values are (role, value) pairs.
inline void AddRecord(RecordBatch& batch, std::string_view log_type,
                      const std::vector<std::pair<Role, std::string>>& values) {
  Record r;
  r.log_type = batch.text.Copy(log_type);
  r.line = batch.records.size() + 1;
  r.first_value = static_cast<uint32_t>(batch.values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    FieldValue v;
    v.role = values[i].first;
    v.value = batch.text.Copy(values[i].second);
    v.field = static_cast<uint16_t>(i);
    batch.values.push_back(v);
  }
  r.value_count = static_cast<uint32_t>(values.size());
  batch.records.push_back(r);
}

}  // namespace kizuna::detect
