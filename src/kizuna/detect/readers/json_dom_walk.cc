// Kizuna. JsonReader's DOM walk: the reference the On-Demand walk is tested against, and the
// walk on CPUs without the On-Demand walk's ISA.
#include "kizuna/detect/readers/json_reader.h"

namespace kizuna::detect {

void JsonReader::ScalarDom(simdjson::dom::element element) {
  const JsonPath* path = current_->Find(path_);
  if (path == nullptr || path->role == Role::kNone) return;
  JsonScalar s;
  switch (element.type()) {
    case simdjson::dom::element_type::STRING:
      s.text = element.get_string().value_unsafe();  // the parser's: copied
      break;
    case simdjson::dom::element_type::INT64:
      s.kind = JsonScalar::Kind::kInt64;
      s.int64 = element.get_int64().value_unsafe();
      break;
    case simdjson::dom::element_type::UINT64:
      s.kind = JsonScalar::Kind::kUint64;
      s.uint64 = element.get_uint64().value_unsafe();
      break;
    case simdjson::dom::element_type::DOUBLE:
      s.kind = JsonScalar::Kind::kDouble;
      s.number = element.get_double().value_unsafe();
      break;
    default:
      return;
  }
  Scalar(*path, s);
}

bool JsonReader::WalkDom(simdjson::dom::element element, int depth) {
  if (depth > kMaxJsonWalkDepth) return false;
  switch (element.type()) {
    case simdjson::dom::element_type::OBJECT: {
      const size_t length = path_.size();
      const simdjson::dom::object object = element.get_object().value_unsafe();
      for (simdjson::dom::key_value_pair field : object) {
        if (length > 0) path_.push_back('.');
        path_.append(field.key.data(), field.key.size());
        if (!WalkDom(field.value, depth + 1)) return false;
        path_.resize(length);
      }
      return true;
    }
    case simdjson::dom::element_type::ARRAY: {
      const simdjson::dom::array array = element.get_array().value_unsafe();
      for (simdjson::dom::element item : array) {
        if (!WalkDom(item, depth + 1)) return false;
      }
      return true;
    }
    default:
      if (depth > 0) ScalarDom(element);
      return true;
  }
}

JsonWalkResult JsonReader::WalkDom(std::string_view line) {
  simdjson::dom::element root;
  // The line reader pads its block, so the line can be parsed in place.
  simdjson::error_code error = dom_.parse(line.data(), line.size(), false).get(root);
  if (error != simdjson::SUCCESS) return {JsonWalkError::kInvalidJson, simdjson::error_message(error)};
  if (!root.is_object()) return {JsonWalkError::kNotObject};
  std::string_view event_type, zeek_path;
  const bool has_event_type = root["event_type"].get_string().get(event_type) == simdjson::SUCCESS;
  const bool has_path =
      !has_event_type && root["_path"].get_string().get(zeek_path) == simdjson::SUCCESS;
  Paths(has_event_type ? &event_type : nullptr, has_path ? &zeek_path : nullptr);
  path_.clear();
  if (!WalkDom(root, 0)) return {JsonWalkError::kTooDeep};
  return {};
}

}  // namespace kizuna::detect
