// Kizuna. Compiled with the ISA of kOnDemandImplementation (see ondemand_walk.h and
// src/kizuna/detect/CMakeLists.txt): only OnDemandSupported() CPUs may call into this file.
#include "kizuna/detect/readers/ondemand_walk.h"

#include <immintrin.h>

#include <utility>
#include <vector>

#include "simdjson.h"

namespace kizuna::detect {

const char kOnDemandImplementation[] = SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION);

namespace od = simdjson::ondemand;

struct OnDemandWalker::Impl {
  od::parser parser;
  JsonSink* sink = nullptr;
  const JsonPaths* paths = nullptr;

  // The keys of one log type's lines come in the same order: the k-th key of a line is
  // first compared with the k-th key of the line before, and takes its entry when equal.
  struct SeenKey {
    const JsonPaths* paths = nullptr;
    uint32_t parent = 0;
    uint32_t size = 0;
    uint64_t head = 0;
    const JsonPath* entry = nullptr;
  };
  static constexpr size_t kMaxSeenKeys = 64;
  std::vector<SeenKey> seen_keys;
  size_t next_key = 0;  // index in seen_keys of the line's next key

  JsonWalkResult Line(std::string_view line);
  // As paths->ChildStepPadded(node, key).
  const JsonPath* Step(uint32_t node, std::string_view key);
  JsonWalkResult Object(od::object object, uint32_t node, int depth);
  // Inline, so that `value` stays in registers: the walk's hot path is a string or a number
  // at a mapped path.
  simdjson_inline JsonWalkResult Value(od::value& value, const JsonPath& entry, int depth);
  // Objects and arrays.
  JsonWalkResult Nested(od::value& value, od::json_type type, const JsonPath& entry, int depth);
  JsonWalkResult Number(od::value& value, const JsonPath& entry);
};

namespace {

JsonWalkResult Invalid(simdjson::error_code error) {
  return {JsonWalkError::kInvalidJson, simdjson::error_message(error)};
}

// The text of a raw string token (after its opening quote) up to the closing quote, or
// false when it holds an escape (then the parser must unescape it). When `dotted` is given,
// it gets whether the text holds a '.' (a key naming several steps of a path, json_paths.h).
// Reads 32 bytes at a time: the closing quote is in the line (stage 1 found it), so at most
// 31 bytes past it, inside the line's padding.
bool PlainString(const char* raw, std::string_view& out, bool* dotted = nullptr) {
  const __m256i quote = _mm256_set1_epi8('"');
  const __m256i backslash = _mm256_set1_epi8('\\');
  const __m256i dot = _mm256_set1_epi8('.');
  bool dots = false;
  for (size_t at = 0;; at += 32) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(raw + at));
    const uint32_t quotes =
        static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, quote)));
    const uint32_t escapes =
        static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, backslash)));
    uint32_t dot_bits = 0;
    if (dotted != nullptr) {
      dot_bits = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, dot)));
    }
    if ((quotes | escapes) == 0) {
      dots |= dot_bits != 0;
      continue;
    }
    const int end = __builtin_ctz(quotes | escapes);
    if ((escapes >> end) & 1) return false;
    if (dotted != nullptr) *dotted = dots || (dot_bits & ((uint32_t{1} << end) - 1)) != 0;
    out = std::string_view(raw, at + static_cast<size_t>(end));
    return true;
  }
}

// The text of a number token (raw_json_token: the number, then any whitespace) when it is
// an integer written as the reader would write it back (json_walk.h): an optional '-', then
// 1 to 18 digits without a leading zero, or "0". False for anything else: the parser reads
// it (and rejects it if it is no number).
bool IntegerText(std::string_view token, std::string_view& out) {
  size_t k = token.empty() || token[0] != '-' ? 0 : 1;
  const size_t first = k;
  while (k < token.size() && token[k] >= '0' && token[k] <= '9') ++k;
  const size_t digits = k - first;
  if (digits == 0 || digits > 18 || (token[first] == '0' && (digits > 1 || first == 1))) {
    return false;
  }
  for (size_t w = k; w < token.size(); ++w) {
    if (token[w] != ' ' && token[w] != '\t' && token[w] != '\n' && token[w] != '\r') return false;
  }
  out = token.substr(0, k);
  return true;
}

}  // namespace

JsonWalkResult OnDemandWalker::Impl::Number(od::value& value, const JsonPath& entry) {
  JsonScalar s;
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
  sink->Scalar(entry, s);
  return {};
}

JsonWalkResult OnDemandWalker::Impl::Value(od::value& value, const JsonPath& entry, int depth) {
  if (depth > kMaxJsonWalkDepth) return {JsonWalkError::kTooDeep};
  od::json_type type;
  if (simdjson::error_code e = value.type().get(type)) return Invalid(e);
  switch (type) {
    case od::json_type::string: {
      if (entry.role == Role::kNone) return {};
      JsonScalar s;
      s.in_line = PlainString(value.raw_json_token().data() + 1, s.text);
      if (!s.in_line) {
        if (simdjson::error_code e = value.get_string().get(s.text)) return Invalid(e);
      }
      sink->Scalar(entry, s);
      return {};
    }
    case od::json_type::number: {
      if (entry.role == Role::kNone) return {};
      JsonScalar s;
      if (!IntegerText(value.raw_json_token(), s.text)) return Number(value, entry);
      s.in_line = true;
      sink->Scalar(entry, s);
      return {};
    }
    case od::json_type::boolean: {
      bool ignored;
      if (simdjson::error_code e = value.get_bool().get(ignored)) return Invalid(e);
      return {};
    }
    case od::json_type::null:
      return {};
    case od::json_type::object:
    case od::json_type::array:
      return Nested(value, type, entry, depth);
  }
  return {};
}

JsonWalkResult OnDemandWalker::Impl::Nested(od::value& value, od::json_type type,
                                            const JsonPath& entry, int depth) {
  if (type == od::json_type::object) {
    if (!entry.descend) return {};
    od::object object;
    if (simdjson::error_code e = value.get_object().get(object)) return Invalid(e);
    return Object(object, entry.node, depth + 1);
  }
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

const JsonPath* OnDemandWalker::Impl::Step(uint32_t node, std::string_view key) {
  if (key.size() > 8) return paths->ChildStepPadded(node, key);
  const uint64_t head = JsonPaths::Head(key.data(), key.size());
  const uint32_t size = static_cast<uint32_t>(key.size());
  if (next_key < seen_keys.size()) {
    SeenKey& seen = seen_keys[next_key++];
    if (seen.head == head && seen.size == size && seen.parent == node && seen.paths == paths) {
      return seen.entry;
    }
    seen = {paths, node, size, head, paths->ChildStepPadded(node, key)};
    return seen.entry;
  }
  const JsonPath* entry = paths->ChildStepPadded(node, key);
  if (seen_keys.size() < kMaxSeenKeys) {
    seen_keys.push_back({paths, node, size, head, entry});
    ++next_key;
  }
  return entry;
}

JsonWalkResult OnDemandWalker::Impl::Object(od::object object, uint32_t node, int depth) {
  for (auto member : object) {
    if (simdjson::error_code e = member.error()) return Invalid(e);
    od::field& field = member.value_unsafe();  // a reference: copies of iterators stall
    std::string_view key;
    bool dotted = true;
    if (!PlainString(field.key().raw(), key, &dotted)) {
      if (simdjson::error_code e = field.unescaped_key().get(key)) return Invalid(e);
    }
    const JsonPath* entry = dotted ? paths->Child(node, key) : Step(node, key);
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
  next_key = 0;
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
