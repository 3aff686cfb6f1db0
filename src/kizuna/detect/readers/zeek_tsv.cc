// Kizuna.
#include "kizuna/detect/readers/zeek_tsv.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cstdint>

#include "kizuna/base/strings.h"
#include "kizuna/detect/event_time.h"

namespace kizuna::detect {
namespace {

// The bits set in a 16-bit mask (__builtin_popcount is a library call without -mpopcnt).
inline size_t Popcount16(unsigned m) {
  m = m - ((m >> 1) & 0x5555);
  m = (m & 0x3333) + ((m >> 2) & 0x3333);
  m = (m + (m >> 4)) & 0x0F0F;
  return (m + (m >> 8)) & 0x1F;
}

// Calls `field(index, start, size)` for each of the first `keep` fields of `line` split at
// `separator`, counts every field into `count`, and returns whether the line holds a
// backslash (only then can a value hold a \xHH escape). One pass, 16 bytes at a time where
// SSE2 is; past the kept fields, separators are only counted.
template <typename Field>
bool ForEachField(std::string_view line, char separator, size_t keep, size_t& count,
                  Field&& field) {
  const char* p = line.data();
  const size_t n = line.size();
  size_t start = 0, i = 0, fields = 0;
  bool escaped = false;
#if defined(__SSE2__)
  const __m128i sep = _mm_set1_epi8(separator);
  const __m128i backslash = _mm_set1_epi8('\\');
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, sep)));
    escaped |= _mm_movemask_epi8(_mm_cmpeq_epi8(v, backslash)) != 0;
    if (fields >= keep) {
      fields += Popcount16(mask);
      continue;
    }
    for (; mask != 0; mask &= mask - 1) {
      const size_t at = i + static_cast<size_t>(__builtin_ctz(mask));
      if (fields < keep) field(fields, p + start, at - start);
      ++fields;
      start = at + 1;
    }
  }
#endif
  for (; i < n; ++i) {
    if (p[i] == separator) {
      if (fields < keep) field(fields, p + start, i - start);
      ++fields;
      start = i + 1;
    } else if (p[i] == '\\') {
      escaped = true;
    }
  }
  if (fields < keep) field(fields, p + start, n - start);
  count = fields + 1;
  return escaped;
}

// Splits `line` into `out` (header lines).
void Split(std::string_view line, char separator, std::vector<std::string_view>& out) {
  out.clear();
  size_t count;
  ForEachField(line, separator, SIZE_MAX, count,
               [&out](size_t, const char* at, size_t size) { out.emplace_back(at, size); });
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Undoes \xHH escapes into `out`; returns false if there are none (use the text as is).
bool Unescape(std::string_view text, std::string& out) {
  if (text.find("\\x") == std::string_view::npos) return false;
  out.clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size() && text[i + 1] == 'x' &&
        Hex(text[i + 2]) >= 0 && Hex(text[i + 3]) >= 0) {
      out.push_back(static_cast<char>(Hex(text[i + 2]) << 4 | Hex(text[i + 3])));
      i += 3;
    } else {
      out.push_back(text[i]);
    }
  }
  return true;
}

// value == marker (#unset_field, #empty_field), the first bytes compared before any call:
// most values differ from "-" and "(empty)" there.
inline bool IsMarker(std::string_view value, const std::string& marker) {
  return value.size() == marker.size() && !value.empty() && value[0] == marker[0] &&
         value == marker;
}

}  // namespace

ZeekTsvHeaders::ZeekTsvHeaders(const ReaderOptions& options, std::string file_log_type)
    : user_map_(options.user_map),
      file_log_type_(std::move(file_log_type)),
      current_(std::make_shared<const ZeekHeader>()) {}

void ZeekTsvHeaders::Line(std::string_view line, uint64_t number,
                          std::vector<Malformed>& malformed) {
  auto next = std::make_shared<ZeekHeader>(*current_);
  ZeekHeader& h = *next;
  if (line.starts_with("#separator ")) {
    std::string value;
    std::string_view v = line.substr(11);
    if (Unescape(v, value) && value.size() == 1) {
      h.separator = value[0];
    } else if (v.size() == 1) {
      h.separator = v[0];
    } else {
      malformed.push_back({number, "#separator is not one character"});
      return;
    }
    current_ = std::move(next);
    return;
  }
  parts_.clear();
  Split(line, h.separator, parts_);
  const std::string_view key = parts_[0];
  if (parts_.size() < 2) return;
  if (key == "#set_separator") {
    std::string value;
    std::string_view v = Unescape(parts_[1], value) ? std::string_view(value) : parts_[1];
    if (v.size() == 1) h.set_separator = v[0];
  } else if (key == "#empty_field") {
    h.empty = std::string(parts_[1]);
  } else if (key == "#unset_field") {
    h.unset = std::string(parts_[1]);
  } else if (key == "#path") {
    pending_path_ = std::string(parts_[1]);
    if (h.have_fields) Resolve(h);
  } else if (key == "#fields") {
    h.fields.assign(parts_.begin() + 1, parts_.end());
    h.container.assign(h.fields.size(), 0);
    h.have_fields = true;
    Resolve(h);
  } else if (key == "#types") {
    if (!h.have_fields || parts_.size() - 1 != h.fields.size()) {
      malformed.push_back({number, StrCat("#types names ", parts_.size() - 1, " fields, #fields ",
                                          h.have_fields ? h.fields.size() : 0)});
      h.have_fields = false;
    } else {
      for (size_t i = 1; i < parts_.size(); ++i) {
        h.container[i - 1] = parts_[i].starts_with("set[") || parts_[i].starts_with("vector[");
      }
    }
  } else {
    return;  // #open, #close and others change nothing
  }
  current_ = std::move(next);
}

void ZeekTsvHeaders::Resolve(ZeekHeader& h) const {
  h.path = pending_path_.empty() ? file_log_type_ : pending_path_;
  h.roles.assign(h.fields.size(), Role::kNone);
  h.wanted.clear();
  h.time_field = -1;
  for (size_t i = 0; i < h.fields.size(); ++i) {
    Role role = Role::kNone;
    if (user_map_ != nullptr) role = user_map_->Find(h.path, h.fields[i]);
    if (role == Role::kNone) role = ZeekFieldMap().Find(h.path, h.fields[i]);
    h.roles[i] = role;
    if (role == Role::kTime && h.time_field < 0) h.time_field = static_cast<int>(i);
    if (role != Role::kNone && role != Role::kTime) h.wanted.push_back(static_cast<uint32_t>(i));
  }
  h.kept = h.wanted.empty() ? 0 : h.wanted.back() + 1;
  if (h.time_field >= 0) h.kept = std::max(h.kept, static_cast<size_t>(h.time_field) + 1);
}

ZeekTsvReader::ZeekTsvReader(const ReaderOptions& options, std::string file_log_type)
    : LineParser(options, std::move(file_log_type)) {}

void ZeekTsvReader::AddValue(const ZeekHeader& h, std::string_view value, size_t field,
                             bool escaped, RecordBatch& batch) {
  if (value.empty() || IsMarker(value, h.unset) || IsMarker(value, h.empty)) return;
  if (escaped && Unescape(value, unescaped_)) value = batch.text.Copy(unescaped_);
  FieldValue& v = batch.values.emplace_back();  // in place: a copy stalled as Record's did
  v.value = value;
  v.role = h.roles[field];
  v.field = static_cast<uint16_t>(field);
}

void ZeekTsvReader::DoLine(std::string_view line, uint64_t number, const LineBlock& block,
                           RecordBatch& batch) {
  if (line.empty() || line[0] == '#') return;  // headers: ZeekTsvHeaders
  const auto* h = static_cast<const ZeekHeader*>(block.state.get());
  if (h == nullptr || !h->have_fields) {
    batch.AddMalformed(number, "data before a #fields header");
    return;
  }
  // Data lines fill a vector of the header's size in place, up to the last field read
  // (ZeekHeader::kept); the fields after it are only counted.
  const size_t expected = h->fields.size();
  if (parts_.size() != expected) parts_.resize(expected);
  std::string_view* const parts = parts_.data();
  size_t count = 0;
  const bool escaped = ForEachField(line, h->separator, h->kept, count,
                                    [parts](size_t index, const char* at, size_t size) {
                                      parts[index] = std::string_view(at, size);
                                    });
  if (count != expected) {
    batch.AddMalformed(number, StrCat(count, " fields where #fields names ", expected));
    return;
  }
  Record& r = batch.records.emplace_back();  // built in place: a copy of it stalled
  r.log_type = h->path;
  r.raw = line;
  r.line = number;
  r.field_names = &h->fields;
  r.first_value = static_cast<uint32_t>(batch.values.size());
  if (h->time_field >= 0) {
    if (std::optional<int64_t> t = ParseEventTime(parts_[h->time_field])) {
      r.time_us = *t;
      r.has_time = true;
    } else {
      r.bad_time = parts_[h->time_field];
    }
  }
  for (const uint32_t i : h->wanted) {
    std::string_view value = parts_[i];
    if (!h->container[i] || IsMarker(value, h->unset) || IsMarker(value, h->empty)) {
      AddValue(*h, value, i, escaped, batch);
      continue;
    }
    size_t start = 0;
    while (true) {
      const size_t at = value.find(h->set_separator, start);
      AddValue(*h, value.substr(start, at == std::string_view::npos ? at : at - start), i,
               escaped, batch);
      if (at == std::string_view::npos) break;
      start = at + 1;
    }
  }
  r.value_count = static_cast<uint32_t>(batch.values.size() - r.first_value);
}

}  // namespace kizuna::detect
