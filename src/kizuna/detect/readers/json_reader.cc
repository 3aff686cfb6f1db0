// Kizuna.
#include "kizuna/detect/readers/json_reader.h"

#include <charconv>

#include "kizuna/base/strings.h"
#include "kizuna/detect/event_time.h"

namespace kizuna::detect {
namespace {

constexpr double kMaxEpochSeconds = 1e12;

}  // namespace

bool OnDemandSupported() {
  const simdjson::implementation* impl =
      simdjson::get_available_implementations()[kOnDemandImplementation];
  return impl != nullptr && impl->supported_by_runtime_system();
}

JsonReader::JsonReader(const ReaderOptions& options, TelemetryFormat format,
                       std::string file_log_type)
    : LineParser(options, std::move(file_log_type)), format_(format) {
  if (!options.json_dom && OnDemandSupported()) {
    ondemand_ = std::make_unique<OnDemandWalker>(options.max_line_bytes);
  }
}

const JsonPaths& JsonReader::Paths(const std::string_view* event_type,
                                   const std::string_view* zeek_path) {
  std::string_view log_type = file_log_type_;
  bool eve = format_ == TelemetryFormat::kEve;
  if (event_type != nullptr) {
    log_type = *event_type;
    if (format_ == TelemetryFormat::kAuto) eve = true;
  } else if (zeek_path != nullptr) {
    log_type = *zeek_path;
  }
  // Lines of one log type tend to come in runs.
  if (current_ != nullptr && current_eve_ == eve && current_->log_type() == log_type) {
    return *current_;
  }
  key_ = StrCat(eve ? "e:" : "z:", log_type);
  const FieldMap* builtin = nullptr;
  if (format_ != TelemetryFormat::kJsonl) builtin = eve ? &EveFieldMap() : &ZeekFieldMap();
  current_ = &maps_.try_emplace(key_, log_type, options_.user_map, builtin).first->second;
  current_eve_ = eve;
  return *current_;
}

void JsonReader::Scalar(const JsonPath& path, const JsonScalar& value) {
  char digits[24];
  std::string_view text = value.text;
  if (value.kind == JsonScalar::Kind::kInt64 || value.kind == JsonScalar::Kind::kUint64) {
    const std::to_chars_result end =
        value.kind == JsonScalar::Kind::kInt64
            ? std::to_chars(digits, digits + sizeof digits, value.int64)
            : std::to_chars(digits, digits + sizeof digits, value.uint64);
    text = std::string_view(digits, static_cast<size_t>(end.ptr - digits));
  }
  if (path.role == Role::kTime) {
    if (record_->has_time) return;
    std::string number;
    if (value.kind == JsonScalar::Kind::kDouble) {
      number = StrCat(value.number);
      text = number;
    }
    if (std::optional<int64_t> t = times_.Parse(text)) {
      record_->time_us = *t;
      record_->has_time = true;
    } else if (value.kind == JsonScalar::Kind::kDouble && value.number >= 0 &&
               value.number < kMaxEpochSeconds) {
      // Epoch seconds as ParseEventTime takes them (fewer than 13 digits); anything else,
      // 1e300 or negative, is no time: converting it would overflow int64 microseconds.
      record_->time_us = static_cast<int64_t>(value.number * 1e6);
      record_->has_time = true;
    } else if (record_->bad_time.empty()) {
      record_->bad_time = value.in_line && value.kind == JsonScalar::Kind::kString
                              ? text
                              : batch_->text.Copy(text);
    }
    return;
  }
  if (value.kind == JsonScalar::Kind::kDouble || text.empty()) return;
  FieldValue v;
  // Views into the line stay valid for the batch; parser buffers and digits do not.
  v.value = value.in_line ? text : batch_->text.Copy(text);
  v.role = path.role;
  v.field = path.field;
  batch_->values.push_back(v);
}

void JsonReader::DoLine(std::string_view line, uint64_t number, const LineBlock& /*block*/,
                        RecordBatch& batch) {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  if (line.empty()) return;
  Record r;
  r.first_value = static_cast<uint32_t>(batch.values.size());
  batch_ = &batch;
  record_ = &r;
  const JsonWalkResult result = ondemand_ != nullptr ? ondemand_->Walk(line, *this) : WalkDom(line);
  switch (result.error) {
    case JsonWalkError::kOk:
      break;
    case JsonWalkError::kInvalidJson:
      batch.values.resize(r.first_value);
      batch.AddMalformed(number, StrCat("invalid JSON: ", result.detail));
      return;
    case JsonWalkError::kNotObject:
      batch.values.resize(r.first_value);
      batch.AddMalformed(number, "not a JSON object");
      return;
    case JsonWalkError::kTooDeep:
      batch.values.resize(r.first_value);
      batch.AddMalformed(number, StrCat("nested deeper than ", kMaxJsonWalkDepth, " levels"));
      return;
  }
  r.log_type = current_->log_type();
  r.raw = line;
  r.json = true;
  r.line = number;
  r.field_names = &current_->names();
  r.value_count = static_cast<uint32_t>(batch.values.size() - r.first_value);
  batch.records.push_back(r);
}

}  // namespace kizuna::detect
