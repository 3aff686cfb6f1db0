// Kizuna. Compiled with the ISA of kOnDemandImplementation (see ondemand_walk.h and
// src/kizuna/detect/CMakeLists.txt): only OnDemandSupported() CPUs may call into this file.
#include "kizuna/detect/readers/ondemand_walk.h"

#include <utility>

#include "simdjson.h"

namespace kizuna::detect {

const char kOnDemandImplementation[] = SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION);

namespace od = simdjson::ondemand;

struct OnDemandWalker::Impl {
  od::parser parser;
  JsonSink* sink = nullptr;
  const JsonPaths* paths = nullptr;

  JsonWalkResult Line(std::string_view line);
  JsonWalkResult Object(od::object object, uint32_t node, int depth);
  JsonWalkResult Value(od::value value, const JsonPath& entry, int depth);
  JsonWalkResult Scalar(od::value value, od::json_type type, const JsonPath& entry);
};

namespace {

JsonWalkResult Invalid(simdjson::error_code error) {
  return {JsonWalkError::kInvalidJson, simdjson::error_message(error)};
}

// The text of a raw string token (after its opening quote) up to the closing quote, or
// false when it holds an escape (then the parser must unescape it).
bool PlainString(const char* raw, std::string_view& out) {
  const char* end = raw;
  while (*end != '"' && *end != '\\') ++end;  // stage 1 found the closing quote
  if (*end == '\\') return false;
  out = std::string_view(raw, static_cast<size_t>(end - raw));
  return true;
}

// As PlainString, for an object key; `dotted` says whether it holds a '.' (then it names
// several steps of a path, json_paths.h).
bool PlainKey(const char* raw, std::string_view& out, bool& dotted) {
  const char* end = raw;
  bool dot = false;
  for (; *end != '"' && *end != '\\'; ++end) dot |= *end == '.';
  if (*end == '\\') return false;
  out = std::string_view(raw, static_cast<size_t>(end - raw));
  dotted = dot;
  return true;
}

}  // namespace

JsonWalkResult OnDemandWalker::Impl::Scalar(od::value value, od::json_type type,
                                            const JsonPath& entry) {
  JsonScalar s;
  if (type == od::json_type::string) {
    s.in_line = PlainString(value.raw_json_token().data() + 1, s.text);
    if (!s.in_line) {
      if (simdjson::error_code e = value.get_string().get(s.text)) return Invalid(e);
    }
  } else {
    od::number_type kind;
    if (simdjson::error_code e = value.get_number_type().get(kind)) return Invalid(e);
    simdjson::error_code e;
    if (kind == od::number_type::signed_integer) {
      s.kind = JsonScalar::Kind::kInt64;
      e = value.get_int64().get(s.int64);
    } else if (kind == od::number_type::unsigned_integer) {
      s.kind = JsonScalar::Kind::kUint64;
      e = value.get_uint64().get(s.uint64);
    } else {
      s.kind = JsonScalar::Kind::kDouble;
      e = value.get_double().get(s.number);
    }
    if (e) return Invalid(e);
  }
  sink->Scalar(entry, s);
  return {};
}

JsonWalkResult OnDemandWalker::Impl::Value(od::value value, const JsonPath& entry, int depth) {
  if (depth > kMaxJsonWalkDepth) return {JsonWalkError::kTooDeep};
  od::json_type type;
  if (simdjson::error_code e = value.type().get(type)) return Invalid(e);
  switch (type) {
    case od::json_type::object: {
      if (!entry.descend) return {};
      od::object object;
      if (simdjson::error_code e = value.get_object().get(object)) return Invalid(e);
      return Object(object, entry.node, depth + 1);
    }
    case od::json_type::array: {
      od::array array;
      if (simdjson::error_code e = value.get_array().get(array)) return Invalid(e);
      for (auto item : array) {  // array levels are dropped: the path stays
        od::value v;
        if (simdjson::error_code e = std::move(item).get(v)) return Invalid(e);
        JsonWalkResult r = Value(v, entry, depth + 1);
        if (r.error != JsonWalkError::kOk) return r;
      }
      return {};
    }
    case od::json_type::string:
    case od::json_type::number:
      if (entry.role == Role::kNone) return {};
      return Scalar(value, type, entry);
    case od::json_type::boolean: {
      bool ignored;
      if (simdjson::error_code e = value.get_bool().get(ignored)) return Invalid(e);
      return {};
    }
    case od::json_type::null:
      return {};
  }
  return {};
}

JsonWalkResult OnDemandWalker::Impl::Object(od::object object, uint32_t node, int depth) {
  for (auto member : object) {
    od::field field;
    if (simdjson::error_code e = std::move(member).get(field)) return Invalid(e);
    std::string_view key;
    bool dotted = true;
    if (!PlainKey(field.key().raw(), key, dotted)) {
      if (simdjson::error_code e = field.unescaped_key().get(key)) return Invalid(e);
    }
    const JsonPath* entry = dotted ? paths->Child(node, key) : paths->ChildStep(node, key);
    if (entry == nullptr) continue;  // skipped unread
    JsonWalkResult r = Value(field.value(), *entry, depth);
    if (r.error != JsonWalkError::kOk) return r;
  }
  return {};
}

JsonWalkResult OnDemandWalker::Impl::Line(std::string_view line) {
  od::document doc;
  simdjson::padded_string_view padded(line.data(), line.size(),
                                      line.size() + simdjson::SIMDJSON_PADDING);
  if (simdjson::error_code e = parser.iterate(padded).get(doc)) return Invalid(e);
  od::json_type type;
  if (simdjson::error_code e = doc.type().get(type)) return Invalid(e);
  if (type != od::json_type::object) return {JsonWalkError::kNotObject};
  od::object root;
  if (simdjson::error_code e = doc.get_object().get(root)) return Invalid(e);
  // The log type may come after the fields it maps: find it, then start over.
  std::string_view event_type, zeek_path;
  bool has_event_type = false, has_path = false;
  od::value v;
  simdjson::error_code e = root.find_field_unordered("event_type").get(v);
  if (e == simdjson::SUCCESS) {
    has_event_type = v.get_string().get(event_type) == simdjson::SUCCESS;
  } else if (e != simdjson::NO_SUCH_FIELD) {
    return Invalid(e);
  }
  if (!has_event_type) {
    e = root.find_field_unordered("_path").get(v);
    if (e == simdjson::SUCCESS) {
      has_path = v.get_string().get(zeek_path) == simdjson::SUCCESS;
    } else if (e != simdjson::NO_SUCH_FIELD) {
      return Invalid(e);
    }
  }
  paths = &sink->Paths(has_event_type ? &event_type : nullptr, has_path ? &zeek_path : nullptr);
  if (simdjson::error_code r = root.reset().error()) return Invalid(r);
  JsonWalkResult r = Object(root, JsonPaths::kRoot, 1);
  if (r.error != JsonWalkError::kOk) return r;
  const char* rest;
  if (doc.current_location().get(rest) == simdjson::SUCCESS) {
    return Invalid(simdjson::TRAILING_CONTENT);
  }
  return {};
}

OnDemandWalker::OnDemandWalker(size_t max_line_bytes) : impl_(std::make_unique<Impl>()) {
  // Sized once for the longest line; on failure iterate() allocates as it needs.
  const simdjson::error_code ignored = impl_->parser.allocate(max_line_bytes);
  (void)ignored;
}

OnDemandWalker::~OnDemandWalker() = default;

JsonWalkResult OnDemandWalker::Walk(std::string_view line, JsonSink& sink) {
  impl_->sink = &sink;
  return impl_->Line(line);
}

}  // namespace kizuna::detect
