// Kizuna.
#include "kizuna/detect/readers/json_reader.h"

#include "kizuna/base/strings.h"
#include "kizuna/detect/event_time.h"

namespace kizuna::detect {
namespace {

constexpr int kMaxDepth = 32;

}  // namespace

JsonReader::JsonReader(const ReaderOptions& options, TelemetryFormat format)
    : TelemetryReader(options), format_(format) {}

JsonReader::TypeMap& JsonReader::MapFor(std::string_view log_type, bool eve) {
  key_ = StrCat(eve ? "e:" : "z:", log_type);
  auto [it, inserted] = maps_.try_emplace(key_);
  TypeMap& map = it->second;
  if (!inserted) return map;
  map.log_type = std::string(log_type);
  map.eve = eve;
  return map;
}

void JsonReader::Scalar(simdjson::dom::element element, TypeMap& map, Record& record,
                        RecordBatch& batch) {
  auto it = map.fields.find(path_);
  if (it == map.fields.end()) {
    // First sight of this path in this log type: resolve it once.
    Role role = Role::kNone;
    if (options_.user_map != nullptr) role = options_.user_map->Find(map.log_type, path_);
    if (role == Role::kNone && format_ != TelemetryFormat::kJsonl) {
      role = (map.eve ? EveFieldMap() : ZeekFieldMap()).Find(map.log_type, path_);
    }
    uint16_t index = 0xFFFF;
    if (role != Role::kNone && map.names.size() < 0xFFFF) {
      index = static_cast<uint16_t>(map.names.size());
      map.names.push_back(path_);
    }
    it = map.fields.try_emplace(path_, role, index).first;
  }
  const Role role = it->second.first;
  if (role == Role::kNone) return;
  std::string_view text;
  std::string number;
  switch (element.type()) {
    case simdjson::dom::element_type::STRING:
      text = element.get_string().value_unsafe();
      break;
    case simdjson::dom::element_type::INT64:
      number = StrCat(element.get_int64().value_unsafe());
      text = number;
      break;
    case simdjson::dom::element_type::UINT64:
      number = StrCat(element.get_uint64().value_unsafe());
      text = number;
      break;
    case simdjson::dom::element_type::DOUBLE:
      if (role != Role::kTime) return;
      number = StrCat(element.get_double().value_unsafe());
      text = number;
      break;
    default:
      return;
  }
  if (role == Role::kTime) {
    if (!record.has_time) {
      if (std::optional<int64_t> t = ParseEventTime(text)) {
        record.time_us = *t;
        record.has_time = true;
      } else if (element.type() == simdjson::dom::element_type::DOUBLE) {
        record.time_us = static_cast<int64_t>(element.get_double().value_unsafe() * 1e6);
        record.has_time = true;
      }
    }
    return;
  }
  if (text.empty()) return;
  FieldValue v;
  v.value = batch.text.Copy(text);  // the parser's strings do not outlive the next line
  v.role = role;
  v.field = it->second.second;
  batch.values.push_back(v);
}

bool JsonReader::Walk(simdjson::dom::element element, int depth, TypeMap& map, Record& record,
                      RecordBatch& batch) {
  if (depth > kMaxDepth) return false;
  switch (element.type()) {
    case simdjson::dom::element_type::OBJECT: {
      const size_t length = path_.size();
      const simdjson::dom::object object = element.get_object().value_unsafe();
      for (simdjson::dom::key_value_pair field : object) {
        if (length > 0) path_.push_back('.');
        path_.append(field.key.data(), field.key.size());
        if (!Walk(field.value, depth + 1, map, record, batch)) return false;
        path_.resize(length);
      }
      return true;
    }
    case simdjson::dom::element_type::ARRAY: {
      const simdjson::dom::array array = element.get_array().value_unsafe();
      for (simdjson::dom::element item : array) {
        if (!Walk(item, depth + 1, map, record, batch)) return false;
      }
      return true;
    }
    default:
      if (depth > 0) Scalar(element, map, record, batch);
      return true;
  }
}

void JsonReader::DoLine(std::string_view line, uint64_t number, RecordBatch& batch) {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  if (line.empty()) return;
  simdjson::dom::element root;
  // The line reader pads its block, so the line can be parsed in place.
  simdjson::error_code error = parser_.parse(line.data(), line.size(), false).get(root);
  if (error != simdjson::SUCCESS) {
    batch.AddMalformed(number, StrCat("invalid JSON: ", simdjson::error_message(error)));
    return;
  }
  if (!root.is_object()) {
    batch.AddMalformed(number, "not a JSON object");
    return;
  }
  std::string_view log_type;
  bool eve = format_ == TelemetryFormat::kEve;
  if (root["event_type"].get_string().get(log_type) == simdjson::SUCCESS) {
    if (format_ == TelemetryFormat::kAuto) eve = true;
  } else if (root["_path"].get_string().get(log_type) != simdjson::SUCCESS) {
    log_type = file_log_type_;
  }
  TypeMap& map = MapFor(log_type, eve);
  Record r;
  r.log_type = map.log_type;
  r.raw = line;
  r.json = true;
  r.line = number;
  r.field_names = &map.names;
  r.first_value = static_cast<uint32_t>(batch.values.size());
  path_.clear();
  if (!Walk(root, 0, map, r, batch)) {
    batch.values.resize(r.first_value);
    batch.AddMalformed(number, StrCat("nested deeper than ", kMaxDepth, " levels"));
    return;
  }
  r.value_count = static_cast<uint32_t>(batch.values.size() - r.first_value);
  batch.records.push_back(r);
}

}  // namespace kizuna::detect
