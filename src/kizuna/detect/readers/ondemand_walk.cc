// Kizuna. Compiled with the ISA of kOnDemandImplementation (see ondemand_walk.h and
// src/kizuna/detect/CMakeLists.txt): only OnDemandSupported() CPUs may call into this file.
#include "kizuna/detect/readers/ondemand_walk.h"

#include <immintrin.h>

#include <algorithm>
#include <array>
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

  // A top-level member met before the log type is known, kept until it is (its paths
  // depend on it): a string without escapes or an integer as IntegerText takes it (both
  // views into the line), or null.
  struct Pending {
    std::string_view key;
    std::string_view text;
    const JsonPath* entry = nullptr;  // in `paths`
    bool dotted = false;
    bool scalar = false;   // false: null, or skipped: nothing to report
    bool skipped = false;  // not read: no path of the guessed log type names it
  };
  static constexpr size_t kMaxPending = 32;
  std::array<Pending, kMaxPending> pending;
  // Lines left to walk in two passes without trying one first, after a line that needed
  // them; the run doubles (15, 31, ... 1023) while the tries keep failing (Zeek JSON with
  // arrays needs two passes on every line) and is 15 again after a try that succeeds.
  int two_pass_lines = 0;
  int two_pass_run = 15;
  uint64_t two_pass_count = 0;  // two_pass_lines()
  uint64_t restarted_count = 0;  // restarted_lines()

  JsonWalkResult Line(std::string_view line);
  // The walk in one pass: the top-level members before the log type is known are kept
  // (Pending), reported once "event_type" (else, at the end, "_path") gives it, and the rest
  // walked as they come. Returns other than kDone, having reported nothing, when a kept member is
  // something it does not keep (object, array, boolean, other number, escaped string or
  // key), a skipped member is mapped after all, or iteration fails: then TwoPass walks the
  // line: from its start (kRestart), or parsed afresh (kReparse: an iteration error may have
  // left the iterator unusable).
  enum class Outcome : uint8_t { kDone, kRestart, kReparse };
  Outcome OnePass(od::object& root, JsonWalkResult& result);
  // Finds the log type (its first "event_type", else its first "_path"), starts over and
  // walks.
  JsonWalkResult TwoPass(od::object& root);
  // Reports the kept members, in order, once `paths` is known (`guess`: the paths their
  // entries were looked up in). False, having reported nothing, when a skipped member is
  // mapped in `paths`.
  bool Replay(size_t count, const JsonPaths* guess);
  // One member of an object at `node`.
  simdjson_inline JsonWalkResult Member(od::field& field, uint32_t node, int depth);
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

simdjson_inline JsonWalkResult OnDemandWalker::Impl::Member(od::field& field, uint32_t node,
                                                            int depth) {
  std::string_view key;
  bool dotted = true;
  if (!PlainString(field.key().raw(), key, &dotted)) {
    if (simdjson::error_code e = field.unescaped_key().get(key)) return Invalid(e);
  }
  const JsonPath* entry = dotted ? paths->Child(node, key) : Step(node, key);
  if (entry == nullptr) return {};  // skipped unread
  return Value(field.value(), *entry, depth);
}

JsonWalkResult OnDemandWalker::Impl::Object(od::object object, uint32_t node, int depth) {
  for (auto member : object) {
    if (simdjson::error_code e = member.error()) return Invalid(e);
    od::field& field = member.value_unsafe();  // a reference: copies of iterators stall
    JsonWalkResult r = Member(field, node, depth);
    if (r.error != JsonWalkError::kOk) return r;
  }
  return {};
}

bool OnDemandWalker::Impl::Replay(size_t count, const JsonPaths* guess) {
  if (paths != guess) {
    // The log type is not the one guessed: look the keys up again, and walk the line again
    // when a skipped member turns out to be mapped.
    next_key = 0;
    for (size_t i = 0; i < count; ++i) {
      Pending& p = pending[i];
      p.entry = p.dotted ? paths->Child(JsonPaths::kRoot, p.key) : Step(JsonPaths::kRoot, p.key);
      if (p.skipped && p.entry != nullptr) return false;
    }
  }
  for (size_t i = 0; i < count; ++i) {
    const Pending& p = pending[i];
    if (!p.scalar || p.entry == nullptr || p.entry->role == Role::kNone) continue;
    JsonScalar s;
    s.text = p.text;
    s.in_line = true;
    sink->Scalar(*p.entry, s);
  }
  return true;
}

OnDemandWalker::Impl::Outcome OnDemandWalker::Impl::OnePass(od::object& root,
                                                            JsonWalkResult& result) {
  // Lines of one log type come in runs: until the log type is known, keys are looked up in
  // the previous line's paths (the guess), and the members no path there names are skipped
  // unread, as the walk skips them.
  const JsonPaths* const guess = paths;
  next_key = 0;
  size_t count = 0;
  bool decided = false;         // `paths` is the line's
  bool event_type_met = false;  // its first "event_type" was met
  bool path_met = false;
  bool has_path = false;
  std::string_view zeek_path;
  for (auto member : root) {
    if (simdjson::error_code e = member.error()) {
      if (!decided) return Outcome::kReparse;
      result = Invalid(e);  // as the walk of TwoPass fails here
      return Outcome::kDone;
    }
    od::field& field = member.value_unsafe();
    if (decided) {
      result = Member(field, JsonPaths::kRoot, 1);
      if (result.error != JsonWalkError::kOk) return Outcome::kDone;
      continue;
    }
    if (count == kMaxPending) return Outcome::kRestart;
    Pending& p = pending[count];
    if (!PlainString(field.key().raw(), p.key, &p.dotted)) return Outcome::kRestart;
    p.entry = nullptr;
    if (guess != nullptr) {
      p.entry = p.dotted ? guess->Child(JsonPaths::kRoot, p.key) : Step(JsonPaths::kRoot, p.key);
    }
    // The log type as TwoPass finds it: the first "event_type" when it is a string, else the
    // first "_path" when it is one. Keys are compared as written (find_field_unordered).
    const bool is_event_type = !event_type_met && p.key == "event_type";
    const bool is_path = !is_event_type && !path_met && p.key == "_path";
    p.skipped = guess != nullptr && p.entry == nullptr && !is_event_type && !is_path;
    p.scalar = false;
    ++count;
    if (p.skipped) continue;
    od::value& value = field.value();
    od::json_type type;
    if (value.type().get(type) != simdjson::SUCCESS) return Outcome::kReparse;
    if (type == od::json_type::string) {
      if (!PlainString(value.raw_json_token().data() + 1, p.text)) return Outcome::kRestart;
      p.scalar = true;
    } else if (type == od::json_type::number) {
      if (!IntegerText(value.raw_json_token(), p.text)) return Outcome::kRestart;
      p.scalar = true;
    } else if (type != od::json_type::null) {
      return Outcome::kRestart;
    }
    if (is_event_type) {
      event_type_met = true;
      if (type == od::json_type::string) {
        paths = &sink->Paths(&p.text, nullptr);
        decided = true;
        if (!Replay(count, guess)) return Outcome::kRestart;
      }
    } else if (is_path) {
      path_met = true;
      has_path = type == od::json_type::string;
      if (has_path) zeek_path = p.text;
    }
  }
  if (!decided) {
    paths = &sink->Paths(nullptr, has_path ? &zeek_path : nullptr);
    if (!Replay(count, guess)) return Outcome::kRestart;
  }
  result = {};
  return Outcome::kDone;
}

JsonWalkResult OnDemandWalker::Impl::TwoPass(od::object& root) {
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
  return Object(root, JsonPaths::kRoot, 1);
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
  JsonWalkResult r;
  if (two_pass_lines > 0) {
    --two_pass_lines;
    ++two_pass_count;
    r = TwoPass(root);
  } else if (const Outcome outcome = OnePass(root, r); outcome == Outcome::kDone) {
    two_pass_run = 15;
  } else {
    // Nothing was reported: walk the line again, in two passes.
    two_pass_lines = two_pass_run;
    two_pass_run = std::min(2 * two_pass_run + 1, 1023);
    ++two_pass_count;
    ++restarted_count;
    if (outcome == Outcome::kReparse) {
      if (simdjson::error_code e = parser.iterate(padded).get(doc)) return Invalid(e);
      if (simdjson::error_code e = doc.get_object().get(root)) return Invalid(e);
    } else if (simdjson::error_code e = root.reset().error()) {
      return Invalid(e);
    }
    r = TwoPass(root);
  }
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

uint64_t OnDemandWalker::two_pass_lines() const { return impl_->two_pass_count; }

uint64_t OnDemandWalker::restarted_lines() const { return impl_->restarted_count; }

JsonWalkResult OnDemandWalker::Walk(std::string_view line, JsonSink& sink) {
  if (impl_->sink != &sink) {
    impl_->paths = nullptr;  // another sink's paths: no guess
    impl_->seen_keys.clear();
  }
  impl_->sink = &sink;
  return impl_->Line(line);
}

}  // namespace kizuna::detect
