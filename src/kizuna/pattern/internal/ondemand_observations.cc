// Kizuna. Compiled with the ISA of kObservationsImplementation (ondemand_observations.h and
// src/kizuna/pattern/CMakeLists.txt): only CPUs that run it may call into this file.
#include "kizuna/pattern/internal/ondemand_observations.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "kizuna/base/limits.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/pattern/internal/observable_types.h"
#include "simdjson.h"

namespace kizuna::pattern_internal {

const char kObservationsImplementation[] = SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION);

namespace {

namespace od = simdjson::ondemand;
using pattern::Observation;
using pattern::StixVersion;
using simdjson::error_code;
using simdjson::SUCCESS;
using NodeId = Observation::NodeId;

// Nesting allowed in values the reader only checks: simdjson's default, which the DOM
// reader's parser enforces too. SCO values stop at limits::kMaxJsonDepth, as in the DOM reader.
constexpr size_t kMaxCheckedDepth = 1024;

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Nesting the object splitter follows before it leaves an input to the whole-document reader
// (which then applies kMaxCheckedDepth to the whole document).
constexpr size_t kMaxSplitDepth = kMaxCheckedDepth - 8;

const char* SkipSpace(const char* p, const char* end) {
  while (p < end && IsSpace(*p)) ++p;
  return p;
}

// The first byte of [p, end) that is one of the `n` bytes of `stops`, or `end`. Reads up to
// 31 bytes past `end`: callers scan the input, which is followed by its padding.
template <size_t n>
const char* FindAny(const char* p, const char* end, const char (&stops)[n]) {
#ifdef __AVX2__
  __m256i wanted[n];
  for (size_t i = 0; i < n; ++i) wanted[i] = _mm256_set1_epi8(stops[i]);
  for (; p < end; p += 32) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    __m256i hits = _mm256_cmpeq_epi8(v, wanted[0]);
    for (size_t i = 1; i < n; ++i) hits = _mm256_or_si256(hits, _mm256_cmpeq_epi8(v, wanted[i]));
    const uint32_t mask = static_cast<uint32_t>(_mm256_movemask_epi8(hits));
    if (mask != 0) return std::min(end, p + __builtin_ctz(mask));
  }
  return end;
#else
  for (; p < end; ++p) {
    for (char c : stops) {
      if (*p == c) return p;
    }
  }
  return end;
#endif
}

// `p` at the opening quote of a string: returns past its closing quote, or null.
const char* SkipString(const char* p, const char* end) {
  static constexpr char kStops[] = {'"', '\\'};
  for (++p;;) {
    p = FindAny(p, end, kStops);
    if (p == end) return nullptr;
    if (*p == '"') return p + 1;
    p += 2;  // an escaped character
  }
}

#ifdef __AVX2__
// The bytes of one 64-byte block, as two AVX2 registers.
struct Block {
  explicit Block(const char* p)
      : lo(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p))),
        hi(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32))) {}
  // Bit i set where byte i equals `c`.
  uint64_t Equal(char c) const { return Mask(lo, hi, _mm256_set1_epi8(c)); }
  // Bit i set where byte i, with bit 0x20 set, equals `c`: '{' finds '{' and '['.
  uint64_t EqualFolded(char c) const {
    const __m256i fold = _mm256_set1_epi8(0x20);
    return Mask(_mm256_or_si256(lo, fold), _mm256_or_si256(hi, fold), _mm256_set1_epi8(c));
  }
  static uint64_t Mask(__m256i a, __m256i b, __m256i want) {
    const uint32_t x = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, want)));
    const uint32_t y = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, want)));
    return uint64_t{x} | (uint64_t{y} << 32);
  }
  __m256i lo, hi;
};

// The characters escaped by backslashes (simdjson's stage 1 rule: in a run of backslashes
// every second one escapes the next character); `carry` holds an escape pending from the
// block before.
uint64_t Escaped(uint64_t backslash, uint64_t& carry) {
  constexpr uint64_t kEvenBits = 0x5555555555555555ULL;
  backslash &= ~carry;
  const uint64_t follows_escape = backslash << 1 | carry;
  const uint64_t odd_starts = backslash & ~kEvenBits & ~follows_escape;
  uint64_t even_starts;
  carry = __builtin_add_overflow(odd_starts, backslash, &even_starts) ? 1 : 0;
  const uint64_t invert = even_starts << 1;
  return (kEvenBits ^ invert) & follows_escape;
}

// Bit i set when an odd number of bits at or below i are set: inside a string.
uint64_t PrefixXor(uint64_t bits) {
  const __m128i all = _mm_set1_epi8(static_cast<char>(0xFF));
  return static_cast<uint64_t>(
      _mm_cvtsi128_si64(_mm_clmulepi64_si128(_mm_set_epi64x(0, static_cast<int64_t>(bits)), all, 0)));
}

// `p` at '{' or '[' outside any string: returns past the bracket that closes it, or null
// (unclosed, or nesting deeper than kMaxSplitDepth). 64 bytes at a time, with stage 1's
// masks: quotes not escaped open and close strings, brackets outside strings are counted
// (only counted: simdjson checks their kinds). Reads up to 63 bytes past `end`: callers
// scan the input, which is followed by its padding.
const char* SkipContainer(const char* p, const char* end) {
  uint64_t escape_carry = 0, in_string_carry = 0;
  size_t depth = 0;
  for (const char* block = p; block < end; block += 64) {
    const Block bytes(block);
    const uint64_t escaped = Escaped(bytes.Equal('\\'), escape_carry);
    const uint64_t quotes = bytes.Equal('"') & ~escaped;
    const uint64_t in_string = PrefixXor(quotes) ^ in_string_carry;
    in_string_carry = static_cast<uint64_t>(static_cast<int64_t>(in_string) >> 63);
    const uint64_t open = bytes.EqualFolded('{') & ~in_string;   // '{' '['
    const uint64_t close = bytes.EqualFolded('}') & ~in_string;  // '}' ']'
    if (depth == 1 && (open | close) == 0) continue;  // nothing but strings and values
    uint64_t brackets = open | close;
    const size_t left = static_cast<size_t>(end - block);
    if (left < 64) brackets &= (uint64_t{1} << left) - 1;
    while (brackets != 0) {
      const int i = __builtin_ctzll(brackets);
      brackets &= brackets - 1;
      if ((open >> i) & 1) {
        if (++depth > kMaxSplitDepth) return nullptr;
      } else if (--depth == 0) {
        return block + i + 1;
      }
    }
  }
  return nullptr;
}
#else
// `p` at '{' or '[': returns past the bracket that closes it, or null (unclosed, or nesting
// deeper than kMaxSplitDepth). Brackets are only counted: simdjson checks their kinds.
const char* SkipContainer(const char* p, const char* end) {
  static constexpr char kStops[] = {'"', '{', '}', '[', ']'};
  size_t depth = 0;
  while ((p = FindAny(p, end, kStops)) != end) {
    const char c = *p;
    if (c == '"') {
      p = SkipString(p, end);
      if (p == nullptr) return nullptr;
      continue;
    }
    if (c == '{' || c == '[') {
      if (++depth > kMaxSplitDepth) return nullptr;
    } else if (--depth == 0) {
      return p + 1;
    }
    ++p;
  }
  return nullptr;
}
#endif

// Any JSON value at `p`: returns past it, or null.
const char* SkipValue(const char* p, const char* end) {
  if (p == end) return nullptr;
  if (*p == '{' || *p == '[') return SkipContainer(p, end);
  if (*p == '"') return SkipString(p, end);
  const char* q = p;
  while (q < end && *q != ',' && *q != '}' && *q != ']' && !IsSpace(*q)) ++q;
  return q == p ? nullptr : q;
}

class Reader {
 public:
  Reader(std::string_view text, StixVersion version, pattern::ObservationSink& sink)
      : text_(text), version_(version), sink_(sink) {}

  absl::Status Read() {
    size_t start = 0;
    while (start < text_.size() && IsSpace(text_[start])) ++start;
    if (start == text_.size()) return absl::OkStatus();
    // A bundle or a list, one object at a time; whatever that does not take, and every
    // error, is read again by the whole-document reader below, which gives the errors.
    // About one SCO per 500 bytes of a bundle (bench/observed_data.py): fewer rehashes.
    sco_spans_.reserve(text_.size() / 512);
    if (ReadSplit(start)) return absl::OkStatus();
    Reset();
    // One document (a bundle, a list or one object) first; JSON lines when more follows.
    od::document doc;
    error_code error =
        parser_.iterate(text_.data(), text_.size(), text_.size() + simdjson::SIMDJSON_PADDING)
            .get(doc);
    if (error != SUCCESS) document_ = 1;
    absl::Status first = error != SUCCESS ? JsonError(error, nullptr) : ConsumeDocument(doc);
    const char* after = nullptr;  // past the end of the document, current_location() fails
    if (first.ok() && doc.current_location().get(after) != SUCCESS) return Finish();
    if (text_[start] == '[') {
      return first.ok() ? JsonError(simdjson::TRAILING_CONTENT, nullptr) : first;
    }
    if (!first.ok() && !json_error_) return first;  // the first document is wrong
    Reset();
    absl::Status lines = ReadLines();
    // A document that is not JSON lines either: its own error, which has a location.
    if (!first.ok() && !lines.ok() && document_ <= 1) return first;
    return lines;
  }

 private:
  // A STIX 2.1 observed-data waiting for SCOs its object_refs name.
  struct Pending {
    std::string_view id;
    stix::Timestamp first, last;
    uint32_t count;
    size_t refs_begin, refs_end;  // in refs_
    size_t unresolved;            // refs to SCOs not seen yet
  };

  // ---- the splitter: a bundle or a list, one object at a time ----

  // Reads a bundle (`{...}`) or a list (`[...]`) at `start` whose objects can be told apart
  // by counting brackets: each object is indexed and read on its own with the reused parser,
  // so simdjson's buffers stay the size of one object. Returns false, having read part of
  // the input perhaps, when the input is of another layout or anything fails.
  bool ReadSplit(size_t start) {
    const char* const end = text_.data() + text_.size();
    const char* p = text_.data() + start;
    document_ = 1;
    const char* after = nullptr;
    if (*p == '[') {
      if (!ReadList(p, end, after)) return false;
    } else if (*p != '{' || !ReadBundle(p, end, after)) {
      return false;
    }
    current_span_ = {};
    return SkipSpace(after, end) == end && Finish().ok();
  }

  // The list at `p` ('['), each object consumed as it is found; `after` past its ']'.
  bool ReadList(const char* p, const char* end, const char*& after) {
    const char* q = SkipSpace(p + 1, end);
    if (q != end && *q == ']') {
      after = q + 1;
      return true;
    }
    while (q != end) {
      if (*q != '{') return false;  // not an object: the whole-document reader says so
      const char* object_end = SkipContainer(q, end);
      if (object_end == nullptr || !ConsumeSpan(std::string_view(q, object_end - q))) {
        return false;
      }
      q = SkipSpace(object_end, end);
      if (q != end && *q == ']') {
        after = q + 1;
        return true;
      }
      if (q == end || *q != ',') return false;
      q = SkipSpace(q + 1, end);  // a trailing comma finds ']' here, which is not an object
    }
    return false;
  }

  // The bundle at `p` ('{'): its `objects` list read with ReadList, its other members
  // checked (its type must be "bundle"); `after` past its '}'. False when it is not such a
  // bundle.
  bool ReadBundle(const char* p, const char* end, const char*& after) {
    header_ = "{";
    bool has_objects = false;
    const char* q = SkipSpace(p + 1, end);
    if (q != end && *q == '}') return false;  // no objects
    while (q != end) {
      if (*q != '"') return false;
      const char* key_end = SkipString(q, end);
      if (key_end == nullptr) return false;
      const std::string_view key(q + 1, key_end - q - 2);
      if (key.find('\\') != std::string_view::npos) return false;  // an escaped "objects"?
      const char* value = SkipSpace(key_end, end);
      if (value == end || *value != ':') return false;
      value = SkipSpace(value + 1, end);
      const char* value_end = nullptr;
      if (key == "objects") {
        if (has_objects || value == end || *value != '[') return false;
        has_objects = true;
        if (!ReadList(value, end, value_end)) return false;
      } else {
        value_end = SkipValue(value, end);
        if (value_end == nullptr) return false;
        if (header_.size() > 1) header_ += ',';
        header_.append(q, value_end);
      }
      q = SkipSpace(value_end, end);
      if (q != end && *q == '}') {
        after = q + 1;
        break;
      }
      if (q == end || *q != ',') return false;
      q = SkipSpace(q + 1, end);
    }
    if (!has_objects || after == nullptr) return false;
    header_ += '}';
    header_padded_ = simdjson::padded_string(header_);
    od::document doc;
    od::object obj;
    std::string_view type, id;
    if (parser_.iterate(header_padded_).get(doc) != SUCCESS) return false;
    if (doc.get_object().get(obj) != SUCCESS) return false;
    if (!TypeAndId(obj, nullptr, type, id).ok() || type != "bundle") return false;
    if (!Rewind(obj, nullptr).ok() || !CheckMembers(obj, 1, nullptr).ok()) return false;
    const char* rest = nullptr;
    return doc.current_location().get(rest) != SUCCESS;  // nothing after the object
  }

  // One object of the list: indexed on its own and consumed whole.
  bool ConsumeSpan(std::string_view span) {
    od::document doc;
    od::object obj;
    if (parser_.iterate(span.data(), span.size(), span.size() + simdjson::SIMDJSON_PADDING)
            .get(doc) != SUCCESS) {
      return false;
    }
    if (doc.get_object().get(obj) != SUCCESS) return false;
    std::string_view type, id;
    current_span_ = span;
    if (!TypeAndId(obj, span.data(), type, id).ok()) return false;
    if (!ConsumeObject(obj, span.data(), type, id).ok()) return false;
    const char* after = nullptr;
    return doc.current_location().get(after) != SUCCESS;
  }

  // ---- JSON lines ----

  absl::Status ReadLines() {
    constexpr size_t kMinBatch = 1 << 20;
    const size_t batch = std::max(kMinBatch, std::min(text_.size(), limits::kMaxObjectBytes * 2));
    od::document_stream stream;
    error_code error = parser_.iterate_many(text_.data(), text_.size(), batch).get(stream);
    if (error != SUCCESS) {
      document_ = 1;
      return JsonError(error, nullptr);
    }
    for (auto it = stream.begin(); it != stream.end(); ++it) {
      od::document_reference doc;
      if ((error = (*it).get(doc)) != SUCCESS) {
        ++document_;
        return JsonError(error, nullptr);
      }
      KZ_RETURN_IF_ERROR(ConsumeDocument(doc));
    }
    if (stream.truncated_bytes() > 0) {
      return absl::InvalidArgumentError(
          StrCat("document ", document_ + 1, ": invalid JSON: truncated document"));
    }
    return Finish();
  }

  void Reset() {
    document_ = 0;
    json_error_ = false;
    next_index_ = 0;
    pending_.clear();
    waiting_.clear();
    lane_ = Lane{};
    refs_.clear();
    sco_spans_.clear();
    sco_scratch_id_ = {};
    current_span_ = {};
    sink_.Restart();
  }

  // The observed-data still waiting, in input order, with the SCOs found (refs to SCOs
  // absent from the input are skipped).
  absl::Status Finish() {
    SpillLane();
    std::vector<size_t> left;
    left.reserve(pending_.size());
    for (const auto& [index, unused] : pending_) left.push_back(index);
    std::sort(left.begin(), left.end());
    for (size_t index : left) KZ_RETURN_IF_ERROR(Complete(index, pending_[index]));
    pending_.clear();
    return absl::OkStatus();
  }

  // Builds observed-data `index` from its SCOs and hands it to the sink.
  absl::Status Complete(size_t index, const Pending& p) {
    if (p.refs_end - p.refs_begin == 1 && current_sco_.obj == nullptr &&
        !sco_scratch_id_.empty() && refs_[p.refs_begin] == sco_scratch_id_) {
      // Its one SCO is the one just read, built alone: that observation is handed over.
      sco_scratch_.SetId(p.id);
      sco_scratch_.SetTimes(p.first, p.last);
      sco_scratch_.SetCount(p.count);
      if (sco_scratch_.overflowed()) return TooBig(nullptr, p.id);
      return sink_.Add(index, sco_scratch_);
    }
    scratch_.Clear();
    scratch_.SetId(p.id);
    scratch_.SetTimes(p.first, p.last);
    scratch_.SetCount(p.count);
    bool current_added = false;
    for (size_t r = p.refs_begin; r < p.refs_end; ++r) {
      CurrentSco& current = current_sco_;
      if (current.obj != nullptr && refs_[r] == current.id) {  // the SCO being read
        KZ_RETURN_IF_ERROR(Rewind(*current.obj, current.at));
        KZ_RETURN_IF_ERROR(AddSco(scratch_, *current.obj, current.type, current.id, current.at));
        current.built = current_added = true;
        continue;
      }
      if (!sco_scratch_id_.empty() && refs_[r] == sco_scratch_id_) {
        scratch_.CopyScoFrom(sco_scratch_, 0);  // the SCO just read
        continue;
      }
      auto it = sco_spans_.find(refs_[r]);
      if (it != sco_spans_.end()) KZ_RETURN_IF_ERROR(AddScoFromSpan(it->first, it->second));
    }
    if (scratch_.overflowed()) {
      if (current_added) KZ_RETURN_IF_ERROR(CheckCurrentSize());
      return TooBig(nullptr, p.id);
    }
    return sink_.Add(index, scratch_);
  }

  // An observation holding the SCO being read outgrew the limits: the error names the SCO
  // when it is too big alone, as when it is read on its own.
  absl::Status CheckCurrentSize() {
    const CurrentSco& current = current_sco_;
    sco_scratch_.Clear();
    KZ_RETURN_IF_ERROR(Rewind(*current.obj, current.at));
    KZ_RETURN_IF_ERROR(AddSco(sco_scratch_, *current.obj, current.type, current.id, current.at));
    return sco_scratch_.overflowed() ? TooBig(current.at, current.id) : absl::OkStatus();
  }

  // Reads the SCO `id` again from its JSON, into scratch_ (with a parser of its own: the
  // main one may be inside a document).
  absl::Status AddScoFromSpan(std::string_view id, std::string_view span) {
    od::document doc;
    od::object obj;
    error_code error =
        sco_parser_.iterate(span.data(), span.size(), span.size() + simdjson::SIMDJSON_PADDING)
            .get(doc);
    if (error == SUCCESS) error = doc.get_object().get(obj);
    if (error != SUCCESS) return JsonError(error, span.data());
    std::string_view type, unused_id;
    KZ_RETURN_IF_ERROR(TypeAndId(obj, span.data(), type, unused_id));
    KZ_RETURN_IF_ERROR(Rewind(obj, span.data()));
    return AddSco(scratch_, obj, type, id, span.data());
  }

  // The lane's observed-data, when the next object is not the SCO it names: completed if
  // that SCO was read before it, else it joins the others waiting.
  absl::Status SettleLane() {
    if (!lane_.active) return absl::OkStatus();
    if (lane_.checked || !sco_spans_.contains(lane_.ref)) {
      SpillLane();
      return absl::OkStatus();
    }
    const Lane lane = std::exchange(lane_, Lane{});
    KZ_RETURN_IF_ERROR(Complete(lane.index, lane.pending));
    if (pending_.empty()) refs_.clear();
    return absl::OkStatus();
  }

  // The lane's observed-data joins the others waiting.
  void SpillLane() {
    if (!lane_.active) return;
    waiting_[lane_.ref].push_back(lane_.index);
    pending_.emplace(lane_.index, lane_.pending);
    lane_ = Lane{};
  }

  // An SCO `it` names has been read: completes the observed-data that waited only for it.
  template <typename Iterator>
  absl::Status Resolve(Iterator it) {
    const absl::InlinedVector<size_t, 2> waiters = std::move(it->second);
    waiting_.erase(it);
    for (size_t index : waiters) {
      auto p = pending_.find(index);
      if (p == pending_.end() || --p->second.unresolved > 0) continue;
      const Pending done = p->second;
      pending_.erase(p);
      KZ_RETURN_IF_ERROR(Complete(index, done));
    }
    if (pending_.empty() && !lane_.active) refs_.clear();
    return absl::OkStatus();
  }

  // ---- errors ----

  // "document N, line L, column C (byte B), object ID: what"; `at` (in text_) may be null.
  std::string Where(const char* at, std::string_view id) const {
    std::string where = StrCat("document ", document_);
    if (at != nullptr && at >= text_.data() && at <= text_.data() + text_.size()) {
      const size_t offset = at - text_.data();
      size_t line = 1, line_start = 0;
      for (const char* p = text_.data(); p < at;) {
        const void* nl = std::memchr(p, '\n', at - p);
        if (nl == nullptr) break;
        ++line;
        p = static_cast<const char*>(nl) + 1;
        line_start = p - text_.data();
      }
      StrAppend(where, ", line ", line, ", column ", offset - line_start + 1, " (byte ", offset,
                ")");
    }
    if (!id.empty()) StrAppend(where, ", object ", id);
    return where;
  }
  absl::Status Error(const char* at, std::string_view id, std::string_view what) const {
    return absl::InvalidArgumentError(StrCat(Where(at, id), ": ", what));
  }
  absl::Status JsonError(error_code error, const char* at) {
    json_error_ = true;
    return absl::InvalidArgumentError(
        StrCat(Where(at, {}), ": invalid JSON: ", simdjson::error_message(error)));
  }
  absl::Status TooBig(const char* at, std::string_view id) const {
    return absl::ResourceExhaustedError(
        StrCat(Where(at, id), ": observation exceeds the per-observation limits (",
               Observation::kMaxNodes, " values, ", Observation::kMaxBytes, " bytes of text)"));
  }
  absl::Status TooDeep(size_t limit) const {
    return absl::ResourceExhaustedError(
        StrCat("document ", document_, ": JSON nests deeper than ", limit));
  }

  // ---- documents and objects ----

  template <typename Document>
  absl::Status ConsumeDocument(Document& doc) {
    ++document_;
    od::json_type type;
    error_code error = doc.type().get(type);
    if (error != SUCCESS) return JsonError(error, nullptr);
    if (type == od::json_type::array) {
      od::array list;
      if ((error = doc.get_array().get(list)) != SUCCESS) return JsonError(error, nullptr);
      return ConsumeList(list);
    }
    if (type != od::json_type::object) return Error(nullptr, "", "expected a JSON object or array");
    const char* at = nullptr;
    if ((error = doc.current_location().get(at)) != SUCCESS) return JsonError(error, nullptr);
    od::object obj;
    if ((error = doc.get_object().get(obj)) != SUCCESS) return JsonError(error, at);
    std::string_view object_type, id;
    KZ_RETURN_IF_ERROR(TypeAndId(obj, at, object_type, id));
    if (object_type != "bundle") return ConsumeObject(obj, at, object_type, id);
    KZ_RETURN_IF_ERROR(Rewind(obj, at));
    bool seen_objects = false, has_objects = false;  // the first one counts, as in the DOM
    for (auto member : obj) {
      od::field field;
      std::string_view key;
      KZ_RETURN_IF_ERROR(Take(member, field, key, at));
      od::array list;
      if (key == "objects" && !seen_objects) {
        seen_objects = true;
        if (field.value().get_array().get(list) == SUCCESS) {
          has_objects = true;
          KZ_RETURN_IF_ERROR(ConsumeList(list));
          continue;
        }
      }
      KZ_RETURN_IF_ERROR(Check(field.value(), 1, at));
    }
    if (!has_objects) return Error(at, id, "bundle without an 'objects' list");
    return absl::OkStatus();
  }

  absl::Status ConsumeList(od::array& list) {
    for (auto item : list) {
      od::value value;
      error_code error = std::move(item).get(value);
      const char* at = nullptr;
      if (error == SUCCESS) error = value.current_location().get(at);
      if (error != SUCCESS) return JsonError(error, nullptr);
      od::object obj;
      if (value.get_object().get(obj) != SUCCESS) {
        KZ_RETURN_IF_ERROR(Check(value, 1, at));
        return Error(at, "", "expected a STIX object");
      }
      std::string_view type, id;
      KZ_RETURN_IF_ERROR(TypeAndId(obj, at, type, id));
      KZ_RETURN_IF_ERROR(ConsumeObject(obj, at, type, id));
    }
    return absl::OkStatus();
  }

  absl::Status ConsumeObject(od::object& obj, const char* at, std::string_view type,
                             std::string_view id) {
    if (type.empty()) return Error(at, id, "object without a 'type'");
    if (type == "observed-data") return ConsumeObservedData(obj, at, id);
    KZ_RETURN_IF_ERROR(Rewind(obj, at));
    const bool is_sco = !id.empty() && !NonObservable(type);
    if (!is_sco || version_ == StixVersion::k20) return CheckMembers(obj, 1, at);
    // Kept as its JSON text, read again for observed-data further on that name it
    // (recorded before it is checked: an error stops the reading anyway).
    std::string_view span = current_span_;
    if (span.data() != at) {
      if (error_code error = obj.raw_json().get(span); error != SUCCESS) {
        return JsonError(error, at);
      }
      KZ_RETURN_IF_ERROR(Rewind(obj, at));
    }
    if (!sco_spans_.try_emplace(id, span).second) {
      // A later copy: the first one wins, and completes the lane if it names it.
      if (lane_.active && id == lane_.ref) KZ_RETURN_IF_ERROR(SettleLane());
      return CheckMembers(obj, 1, at);
    }
    sco_scratch_id_ = {};
    if (lane_.active && id == lane_.ref) {  // the SCO the last observed-data waits for
      const Lane lane = std::exchange(lane_, Lane{});
      current_sco_ = CurrentSco{&obj, at, type, id};
      absl::Status completed = Complete(lane.index, lane.pending);
      current_sco_ = CurrentSco{};
      if (pending_.empty()) refs_.clear();
      return completed;  // its refs name the SCO: Complete built it
    }
    auto waiting = waiting_.find(id);
    if (waiting != waiting_.end()) {
      // Built straight into each observed-data it completes (Complete), before any of them
      // is handed over: that checks it.
      current_sco_ = CurrentSco{&obj, at, type, id};
      absl::Status resolved = Resolve(waiting);
      const bool built = current_sco_.built;
      current_sco_ = CurrentSco{};
      if (!resolved.ok() || built) return resolved;
      KZ_RETURN_IF_ERROR(Rewind(obj, at));  // it completed none: checked below
    }
    // Built once to check it, and kept built for an observed-data right after it.
    sco_scratch_.Clear();
    KZ_RETURN_IF_ERROR(AddSco(sco_scratch_, obj, type, id, at));
    if (sco_scratch_.overflowed()) return TooBig(at, id);
    sco_scratch_id_ = id;
    return absl::OkStatus();
  }

  absl::Status ConsumeObservedData(od::object& obj, const char* at, std::string_view id) {
    KZ_RETURN_IF_ERROR(SettleLane());
    KZ_RETURN_IF_ERROR(Rewind(obj, at));
    // The first of each member counts, as a DOM lookup finds the first.
    std::string_view first_text, last_text;
    bool seen_first = false, seen_last = false, seen_count = false, seen_objects = false;
    bool seen_refs = false, has_first = false, has_last = false, has_count = false;
    bool has_objects = false, has_refs = false, refs_ok = true;
    int64_t count = 0;
    const size_t refs_begin = refs_.size();
    scratch_.Clear();
    for (auto member : obj) {
      od::field field;
      std::string_view key;
      KZ_RETURN_IF_ERROR(Take(member, field, key, at));
      od::value value = field.value();
      od::json_type type;
      error_code error = value.type().get(type);
      if (error != SUCCESS) return JsonError(error, at);
      if (key == "first_observed" && !seen_first && type == od::json_type::string) {
        seen_first = has_first = true;
        if ((error = value.get_string().get(first_text)) != SUCCESS) return JsonError(error, at);
      } else if (key == "last_observed" && !seen_last && type == od::json_type::string) {
        seen_last = has_last = true;
        if ((error = value.get_string().get(last_text)) != SUCCESS) return JsonError(error, at);
      } else if (key == "number_observed" && !seen_count && type == od::json_type::number) {
        seen_count = true;
        od::number_type kind;
        if ((error = value.get_number_type().get(kind)) != SUCCESS) return JsonError(error, at);
        has_count = kind == od::number_type::signed_integer;
        if (has_count && (error = value.get_int64().get(count)) != SUCCESS)
          return JsonError(error, at);
        if (!has_count) KZ_RETURN_IF_ERROR(Check(value, 1, at));
      } else if (key == "objects" && !seen_objects) {
        seen_objects = true;
        od::object objects;
        has_objects = value.get_object().get(objects) == SUCCESS;
        if (!has_objects) {
          KZ_RETURN_IF_ERROR(Check(value, 1, at));
        } else {
          KZ_RETURN_IF_ERROR(AddObjectsDictionary(objects, at, id));
        }
      } else if (key == "object_refs" && !seen_refs) {
        seen_refs = true;
        od::array refs;
        has_refs = value.get_array().get(refs) == SUCCESS;
        if (!has_refs) {
          KZ_RETURN_IF_ERROR(Check(value, 1, at));
        } else {
          KZ_RETURN_IF_ERROR(CollectRefs(refs, at, refs_ok));
        }
      } else {
        seen_first = seen_first || key == "first_observed";
        seen_last = seen_last || key == "last_observed";
        seen_count = seen_count || key == "number_observed";
        KZ_RETURN_IF_ERROR(Check(value, 1, at));
      }
    }
    // The checks, in the order of the DOM reader.
    stix::Timestamp times[2];
    const char* names[2] = {"first_observed", "last_observed"};
    const bool has[2] = {has_first, has_last};
    const std::string_view texts[2] = {first_text, last_text};
    for (int i = 0; i < 2; ++i) {
      if (!has[i]) return Error(at, id, StrCat("'", names[i], "' is missing or not a string"));
      if (i == 1 && texts[1] == texts[0]) {  // one instant, as most observations
        times[1] = times[0];
        continue;
      }
      auto t = stix::ParseTimestamp(texts[i]);
      if (!t.ok()) return Error(at, id, StrCat("'", names[i], "': ", View(t.status().message())));
      times[i] = *t;
    }
    if (times[1] < times[0]) return Error(at, id, "'last_observed' is before 'first_observed'");
    if (!has_count || count < 1 || count > Observation::kMaxCount) {
      return Error(at, id, "'number_observed' must be an integer from 1 to 999,999,999");
    }
    if (has_objects) {
      if (!objects_error_.ok()) return std::exchange(objects_error_, absl::OkStatus());
      scratch_.SetId(id);
      scratch_.SetTimes(times[0], times[1]);
      scratch_.SetCount(static_cast<uint32_t>(count));
      if (scratch_.overflowed()) return TooBig(at, id);
      refs_.resize(refs_begin);
      return sink_.Add(next_index_++, scratch_);
    }
    if (version_ == StixVersion::k20) {
      return Error(at, id, "STIX 2.0 observed-data needs an 'objects' dictionary");
    }
    if (!has_refs) return Error(at, id, "observed-data needs 'object_refs' (or the 2.0 'objects')");
    if (!refs_ok) return Error(at, id, "'object_refs' holds a non-string");
    const size_t index = next_index_++;
    Pending pending{id, times[0], times[1], static_cast<uint32_t>(count), refs_begin,
                    refs_.size(), 0};
    if (refs_.size() - refs_begin == 1 && pending_.empty() &&
        refs_[refs_begin] != sco_scratch_id_) {
      // Unless it is the SCO just read, its SCO most likely comes next, and is then
      // recorded where the prefetch reaches: whether it was read before is asked only if
      // it does not (SettleLane).
      sco_spans_.prefetch(refs_[refs_begin]);
      pending.unresolved = 1;
      lane_ = Lane{true, index, pending, refs_[refs_begin], /*checked=*/false};
      return absl::OkStatus();
    }
    absl::InlinedVector<std::string_view, 4> unresolved;
    for (size_t r = refs_begin; r < refs_.size(); ++r) {
      const bool just_read = !sco_scratch_id_.empty() && refs_[r] == sco_scratch_id_;
      if (just_read || sco_spans_.contains(refs_[r])) continue;
      sco_spans_.prefetch(refs_[r]);  // where the SCO, further on, is recorded
      unresolved.push_back(refs_[r]);
    }
    pending.unresolved = unresolved.size();
    if (pending.unresolved > 0) {
      if (pending.unresolved == 1 && pending_.empty()) {
        lane_ = Lane{true, index, pending, unresolved[0], /*checked=*/true};
        return absl::OkStatus();
      }
      for (std::string_view ref : unresolved) waiting_[ref].push_back(index);
      pending_.emplace(index, pending);
      return absl::OkStatus();
    }
    KZ_RETURN_IF_ERROR(Complete(index, pending));
    if (pending_.empty()) refs_.resize(refs_begin);
    return absl::OkStatus();
  }

  // The STIX 2.0 `objects` dictionary, into scratch_. A value that is not an SCO is kept in
  // objects_error_, reported after the observed-data's own properties are checked.
  absl::Status AddObjectsDictionary(od::object& objects, const char* at, std::string_view id) {
    objects_error_ = absl::OkStatus();
    for (auto member : objects) {
      od::field field;
      std::string_view key;
      KZ_RETURN_IF_ERROR(Take(member, field, key, at));
      od::value value = field.value();
      od::object sco;
      std::string_view type, unused_id;
      if (!objects_error_.ok()) {
        KZ_RETURN_IF_ERROR(Check(value, 1, at));
      } else if (value.get_object().get(sco) != SUCCESS) {
        KZ_RETURN_IF_ERROR(Check(value, 1, at));
        objects_error_ = Error(at, id, StrCat("objects['", key, "'] is not an object"));
      } else {
        KZ_RETURN_IF_ERROR(TypeAndId(sco, at, type, unused_id));
        if (type.empty()) {
          KZ_RETURN_IF_ERROR(Rewind(sco, at));
          KZ_RETURN_IF_ERROR(CheckMembers(sco, 1, at));
          objects_error_ = Error(at, id, StrCat("objects['", key, "'] has no 'type'"));
        } else {
          KZ_RETURN_IF_ERROR(Rewind(sco, at));
          KZ_RETURN_IF_ERROR(AddSco(scratch_, sco, type, key, at));
        }
      }
    }
    return absl::OkStatus();
  }

  absl::Status CollectRefs(od::array& refs, const char* at, bool& all_strings) {
    for (auto item : refs) {
      od::value value;
      error_code error = std::move(item).get(value);
      if (error != SUCCESS) return JsonError(error, at);
      od::json_type type;
      if ((error = value.type().get(type)) != SUCCESS) return JsonError(error, at);
      if (type != od::json_type::string) {
        all_strings = false;
        KZ_RETURN_IF_ERROR(Check(value, 1, at));
        continue;
      }
      KZ_ASSIGN_OR_RETURN(std::string_view ref, LastingString(value, at));
      refs_.push_back(ref);
    }
    return absl::OkStatus();
  }

  // Reads the "type" and "id" strings of `obj` (empty when absent or not strings).
  absl::Status TypeAndId(od::object& obj, const char* at, std::string_view& type,
                         std::string_view& id) {
    type = id = {};
    std::string_view* outs[2] = {&type, &id};
    const char* names[2] = {"type", "id"};
    for (int i = 0; i < 2; ++i) {
      od::value value;
      error_code error = obj.find_field_unordered(names[i]).get(value);
      if (error == simdjson::NO_SUCH_FIELD) continue;
      od::json_type kind;
      if (error == SUCCESS) error = value.type().get(kind);
      if (error != SUCCESS) return JsonError(error, at);
      if (kind != od::json_type::string) continue;
      KZ_ASSIGN_OR_RETURN(*outs[i], LastingString(value, at));
    }
    return absl::OkStatus();
  }

  // Takes the next member of an object being iterated: its field and unescaped key.
  template <typename Member>
  absl::Status Take(Member&& member, od::field& field, std::string_view& key, const char* at) {
    error_code error = std::move(member).get(field);
    if (error == SUCCESS) error = field.unescaped_key().get(key);
    return error == SUCCESS ? absl::OkStatus() : JsonError(error, at);
  }

  absl::Status Rewind(od::object& obj, const char* at) {
    bool unused;
    error_code error = obj.reset().get(unused);
    return error == SUCCESS ? absl::OkStatus() : JsonError(error, at);
  }

  // IsNonObservableType, remembered for the last few types seen (inputs repeat a handful).
  bool NonObservable(std::string_view type) {
    for (const auto& [known, non_observable] : recent_types_) {
      if (known == type) return non_observable;
    }
    const bool non_observable = IsNonObservableType(type);
    if (recent_types_.size() == kRecentTypes) recent_types_.pop_back();
    recent_types_.emplace(recent_types_.begin(), std::string(type), non_observable);
    return non_observable;
  }

  // A string that lives as long as the input: a view into it when the string holds no
  // escape (stage 1 checked its UTF-8 and control characters), else an unescaped copy.
  absl::StatusOr<std::string_view> LastingString(od::value& value, const char* at) {
    std::string_view token = value.raw_json_token();
    while (!token.empty() && IsSpace(token.back())) token.remove_suffix(1);
    if (token.size() >= 2 && token.front() == '"' && token.back() == '"') {
      const std::string_view inner = token.substr(1, token.size() - 2);
      if (inner.find('\\') == std::string_view::npos) return inner;
    }
    std::string_view text;
    error_code error = value.get_string().get(text);
    if (error != SUCCESS) return JsonError(error, at);
    return std::string_view(owned_.emplace_back(text));
  }

  // ---- SCOs ----

  absl::Status AddSco(Observation& obs, od::object& sco, std::string_view type,
                      std::string_view key, const char* at) {
    const NodeId root = obs.AddSco(type, key);
    for (auto member : sco) {
      od::field field;
      std::string_view name;
      KZ_RETURN_IF_ERROR(Take(member, field, name, at));
      if (name == "type") {  // AddSco added it
        KZ_RETURN_IF_ERROR(Check(field.value(), 1, at));
        continue;
      }
      KZ_RETURN_IF_ERROR(AddValue(obs, root, name, field.value(), 1, at));
    }
    return absl::OkStatus();
  }

  absl::Status AddValue(Observation& obs, NodeId parent, std::string_view key, od::value value,
                        size_t depth, const char* at) {
    if (depth > limits::kMaxJsonDepth) return TooDeep(limits::kMaxJsonDepth);
    od::json_type type;
    error_code error = value.type().get(type);
    if (error != SUCCESS) return JsonError(error, at);
    switch (type) {
      case od::json_type::null: {
        bool is_null = false;
        if ((error = value.is_null().get(is_null)) == SUCCESS && !is_null)
          error = simdjson::N_ATOM_ERROR;
        if (error == SUCCESS) obs.AddNull(parent, key);
        break;
      }
      case od::json_type::boolean: {
        bool b = false;
        if ((error = value.get_bool().get(b)) == SUCCESS) obs.AddBool(parent, key, b);
        break;
      }
      case od::json_type::number:
        error = AddNumber(obs, parent, key, value);
        break;
      case od::json_type::string: {
        std::string_view text;
        if ((error = value.get_string().get(text)) == SUCCESS) obs.AddString(parent, key, text);
        break;
      }
      case od::json_type::array: {
        od::array items;
        if ((error = value.get_array().get(items)) != SUCCESS) break;
        const NodeId list = obs.AddList(parent, key);
        for (auto item : items) {
          od::value element;
          if ((error = std::move(item).get(element)) != SUCCESS) break;
          KZ_RETURN_IF_ERROR(AddValue(obs, list, {}, element, depth + 1, at));
        }
        break;
      }
      case od::json_type::object: {
        od::object members;
        if ((error = value.get_object().get(members)) != SUCCESS) break;
        const NodeId child = obs.AddObject(parent, key);
        for (auto member : members) {
          od::field field;
          std::string_view name;
          KZ_RETURN_IF_ERROR(Take(member, field, name, at));
          KZ_RETURN_IF_ERROR(AddValue(obs, child, name, field.value(), depth + 1, at));
        }
        break;
      }
    }
    return error == SUCCESS ? absl::OkStatus() : JsonError(error, at);
  }

  // Numbers as the DOM types them: int64 when it fits, other integers and the rest as double.
  static error_code AddNumber(Observation& obs, NodeId parent, std::string_view key,
                              od::value& value) {
    od::number_type kind;
    error_code error = value.get_number_type().get(kind);
    if (error != SUCCESS) return error;
    if (kind == od::number_type::signed_integer) {
      int64_t i = 0;
      if ((error = value.get_int64().get(i)) == SUCCESS) obs.AddInt(parent, key, i);
    } else if (kind == od::number_type::unsigned_integer) {
      uint64_t u = 0;
      if ((error = value.get_uint64().get(u)) == SUCCESS) {
        obs.AddFloat(parent, key, static_cast<double>(u));
      }
    } else {
      double d = 0;
      if ((error = value.get_double().get(d)) == SUCCESS) obs.AddFloat(parent, key, d);
    }
    return error;
  }

  // ---- values only checked, as the DOM parse checks them ----

  absl::Status CheckMembers(od::object& obj, size_t depth, const char* at) {
    for (auto member : obj) {
      od::field field;
      std::string_view unused;
      KZ_RETURN_IF_ERROR(Take(member, field, unused, at));
      KZ_RETURN_IF_ERROR(Check(field.value(), depth + 1, at));
    }
    return absl::OkStatus();
  }

  absl::Status Check(od::value value, size_t depth, const char* at) {
    if (depth > kMaxCheckedDepth) return JsonError(simdjson::DEPTH_ERROR, at);
    od::json_type type;
    error_code error = value.type().get(type);
    if (error != SUCCESS) return JsonError(error, at);
    switch (type) {
      case od::json_type::null: {
        bool is_null = false;
        if ((error = value.is_null().get(is_null)) == SUCCESS && !is_null)
          error = simdjson::N_ATOM_ERROR;
        break;
      }
      case od::json_type::boolean: {
        bool unused;
        error = value.get_bool().get(unused);
        break;
      }
      case od::json_type::number: {
        double unused;
        error = value.get_double().get(unused);
        break;
      }
      case od::json_type::string:
        return CheckString(value, at);
      case od::json_type::array: {
        od::array items;
        if ((error = value.get_array().get(items)) != SUCCESS) break;
        for (auto item : items) {
          od::value element;
          if ((error = std::move(item).get(element)) != SUCCESS) break;
          KZ_RETURN_IF_ERROR(Check(element, depth + 1, at));
        }
        break;
      }
      case od::json_type::object: {
        od::object members;
        if ((error = value.get_object().get(members)) != SUCCESS) break;
        return CheckMembers(members, depth, at);
      }
    }
    return error == SUCCESS ? absl::OkStatus() : JsonError(error, at);
  }

  // A string value: valid as it stands when it holds no escape, else unescaped to check.
  absl::Status CheckString(od::value& value, const char* at) {
    std::string_view token = value.raw_json_token();
    if (token.find('\\') == std::string_view::npos) return absl::OkStatus();
    std::string_view unused;
    error_code error = value.get_string().get(unused);
    return error == SUCCESS ? absl::OkStatus() : JsonError(error, at);
  }

  const std::string_view text_;
  const StixVersion version_;
  pattern::ObservationSink& sink_;
  od::parser parser_;
  od::parser sco_parser_;  // SCOs read again from their text
  size_t document_ = 0;
  bool json_error_ = false;  // the last error came from the JSON, not from STIX
  size_t next_index_ = 0;    // of the next observed-data
  absl::flat_hash_map<size_t, Pending> pending_;  // by index
  // The common layout, each observed-data followed by the one SCO it names, needs none of
  // the maps: while the observed-data read last is the only one waiting, and for one SCO,
  // it waits here, until that SCO comes or another observed-data does (SettleLane).
  struct Lane {
    bool active = false;
    size_t index = 0;
    Pending pending{};
    std::string_view ref;  // the SCO it waits for
    bool checked = false;  // that SCO was not read before it (else not known yet)
  };
  Lane lane_;
  // SCO id -> the pending observed-data naming it (once per naming).
  absl::flat_hash_map<std::string_view, absl::InlinedVector<size_t, 2>> waiting_;
  std::vector<std::string_view> refs_;  // object_refs of the pending observed-data
  // Every top-level SCO of the input (the first copy of each id): its JSON text.
  absl::flat_hash_map<std::string_view, std::string_view> sco_spans_;
  // The SCO read last, when nothing waited for it (and the metadata of an observed-data
  // naming it alone, handed over with it).
  Observation sco_scratch_;
  std::string_view sco_scratch_id_;   // its id; empty when it holds none
  // The SCO being read while the observed-data waiting for it are completed.
  struct CurrentSco {
    od::object* obj = nullptr;
    const char* at = nullptr;
    std::string_view type, id;
    bool built = false;  // into an observation
  };
  CurrentSco current_sco_;
  static constexpr size_t kRecentTypes = 8;
  absl::InlinedVector<std::pair<std::string, bool>, kRecentTypes> recent_types_;
  std::string_view current_span_;     // the object the splitter is reading
  std::string header_;                // the splitter's bundle without its objects
  simdjson::padded_string header_padded_;
  std::deque<std::string> owned_;  // strings with escapes, unescaped
  Observation scratch_;            // the observation being built
  absl::Status objects_error_;
};

// Keeps every observation, in input order.
class VectorSink : public pattern::ObservationSink {
 public:
  absl::Status Add(size_t index, const Observation& observation) override {
    if (index >= out_.size()) out_.resize(index + 1);
    // A copy allocates the buffers at their final size, next to each other: observations
    // kept together in memory evaluate about twice as fast (observation.h).
    out_[index] = observation;
    return absl::OkStatus();
  }
  void Restart() override { out_.clear(); }
  std::vector<Observation> Take() { return std::move(out_); }

 private:
  std::vector<Observation> out_;
};

}  // namespace

absl::Status StreamObservationsOnDemand(std::string_view json, StixVersion version,
                                        pattern::ObservationSink& sink) {
  Reader reader(json, version, sink);
  return reader.Read();
}

absl::StatusOr<std::vector<Observation>> ReadObservationsOnDemand(std::string_view json,
                                                                  StixVersion version) {
  VectorSink sink;
  KZ_RETURN_IF_ERROR(StreamObservationsOnDemand(json, version, sink));
  return sink.Take();
}

}  // namespace kizuna::pattern_internal
