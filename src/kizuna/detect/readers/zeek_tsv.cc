// Kizuna.
#include "kizuna/detect/readers/zeek_tsv.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "kizuna/base/strings.h"
#include "kizuna/detect/event_time.h"

namespace kizuna::detect {
namespace {

// Splits `line` at `separator` into `out`, and returns whether the line holds a backslash
// (only then can a value hold a \xHH escape). One pass, 16 bytes at a time where SSE2 is.
bool Split(std::string_view line, char separator, std::vector<std::string_view>& out) {
  out.clear();
  const char* p = line.data();
  const size_t n = line.size();
  size_t start = 0, i = 0;
  bool escaped = false;
#if defined(__SSE2__)
  const __m128i sep = _mm_set1_epi8(separator);
  const __m128i backslash = _mm_set1_epi8('\\');
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, sep)));
    escaped |= _mm_movemask_epi8(_mm_cmpeq_epi8(v, backslash)) != 0;
    for (; mask != 0; mask &= mask - 1) {
      const size_t at = i + static_cast<size_t>(__builtin_ctz(mask));
      out.emplace_back(p + start, at - start);
      start = at + 1;
    }
  }
#endif
  for (; i < n; ++i) {
    if (p[i] == separator) {
      out.emplace_back(p + start, i - start);
      start = i + 1;
    } else if (p[i] == '\\') {
      escaped = true;
    }
  }
  out.emplace_back(p + start, n - start);
  return escaped;
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

}  // namespace

ZeekTsvReader::ZeekTsvReader(const ReaderOptions& options) : TelemetryReader(options) {}

void ZeekTsvReader::Header(std::string_view line, uint64_t number, RecordBatch& batch) {
  if (line.starts_with("#separator ")) {
    std::string value;
    std::string_view v = line.substr(11);
    if (Unescape(v, value) && value.size() == 1) {
      separator_ = value[0];
    } else if (v.size() == 1) {
      separator_ = v[0];
    } else {
      batch.AddMalformed(number, "#separator is not one character");
    }
    return;
  }
  parts_.clear();
  Split(line, separator_, parts_);
  const std::string_view key = parts_[0];
  if (parts_.size() < 2) return;
  if (key == "#set_separator") {
    std::string value;
    std::string_view v = Unescape(parts_[1], value) ? std::string_view(value) : parts_[1];
    if (v.size() == 1) set_separator_ = v[0];
  } else if (key == "#empty_field") {
    empty_ = std::string(parts_[1]);
  } else if (key == "#unset_field") {
    unset_ = std::string(parts_[1]);
  } else if (key == "#path") {
    pending_path_ = std::string(parts_[1]);
    if (have_fields_) Resolve();
  } else if (key == "#fields") {
    fields_.emplace_back(parts_.begin() + 1, parts_.end());
    container_.assign(fields_.back().size(), false);
    have_fields_ = true;
    Resolve();
  } else if (key == "#types") {
    if (!have_fields_ || parts_.size() - 1 != fields_.back().size()) {
      batch.AddMalformed(number, StrCat("#types names ", parts_.size() - 1,
                                        " fields, #fields ", have_fields_ ? fields_.back().size() : 0));
      have_fields_ = false;
      return;
    }
    for (size_t i = 1; i < parts_.size(); ++i) {
      container_[i - 1] = parts_[i].starts_with("set[") || parts_[i].starts_with("vector[");
    }
  }
}

void ZeekTsvReader::Resolve() {
  paths_.push_back(pending_path_.empty() ? file_log_type_ : pending_path_);
  const std::vector<std::string>& fields = fields_.back();
  roles_.assign(fields.size(), Role::kNone);
  time_field_ = -1;
  for (size_t i = 0; i < fields.size(); ++i) {
    Role role = Role::kNone;
    if (options_.user_map != nullptr) role = options_.user_map->Find(paths_.back(), fields[i]);
    if (role == Role::kNone) role = ZeekFieldMap().Find(paths_.back(), fields[i]);
    roles_[i] = role;
    if (role == Role::kTime && time_field_ < 0) time_field_ = static_cast<int>(i);
  }
}

void ZeekTsvReader::AddValue(std::string_view value, size_t field, bool escaped,
                             RecordBatch& batch) {
  if (value.empty() || value == unset_ || value == empty_) return;
  if (escaped && Unescape(value, unescaped_)) value = batch.text.Copy(unescaped_);
  FieldValue v;
  v.value = value;
  v.role = roles_[field];
  v.field = static_cast<uint16_t>(field);
  batch.values.push_back(v);
}

void ZeekTsvReader::DoLine(std::string_view line, uint64_t number, RecordBatch& batch) {
  if (line.empty()) return;
  if (line[0] == '#') {
    Header(line, number, batch);
    return;
  }
  if (!have_fields_) {
    batch.AddMalformed(number, "data before a #fields header");
    return;
  }
  const bool escaped = Split(line, separator_, parts_);
  const std::vector<std::string>& fields = fields_.back();
  if (parts_.size() != fields.size()) {
    batch.AddMalformed(number,
                       StrCat(parts_.size(), " fields where #fields names ", fields.size()));
    return;
  }
  Record r;
  r.log_type = paths_.back();
  r.raw = line;
  r.line = number;
  r.field_names = &fields;
  r.first_value = static_cast<uint32_t>(batch.values.size());
  if (time_field_ >= 0) {
    if (std::optional<int64_t> t = ParseEventTime(parts_[time_field_])) {
      r.time_us = *t;
      r.has_time = true;
    }
  }
  for (size_t i = 0; i < parts_.size(); ++i) {
    if (roles_[i] == Role::kNone || roles_[i] == Role::kTime) continue;
    std::string_view value = parts_[i];
    if (!container_[i] || value == unset_ || value == empty_) {
      AddValue(value, i, escaped, batch);
      continue;
    }
    size_t start = 0;
    while (true) {
      const size_t at = value.find(set_separator_, start);
      AddValue(value.substr(start, at == std::string_view::npos ? at : at - start), i, escaped,
               batch);
      if (at == std::string_view::npos) break;
      start = at + 1;
    }
  }
  r.value_count = static_cast<uint32_t>(batch.values.size() - r.first_value);
  batch.records.push_back(r);
}

}  // namespace kizuna::detect
