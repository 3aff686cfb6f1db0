// Kizuna.
#include "kizuna/stix/reader.h"

#include <cstring>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::stix {
namespace {

constexpr size_t kNpos = std::string_view::npos;

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

size_t SkipSpace(std::string_view t, size_t pos) {
  while (pos < t.size() && IsSpace(t[pos])) ++pos;
  return pos;
}

// `pos` is at an opening quote. Returns the offset just past the closing quote, or kNpos if
// the string does not end.
size_t SkipString(std::string_view t, size_t pos) {
  ++pos;
  while (pos < t.size()) {
    const char* p = static_cast<const char*>(std::memchr(t.data() + pos, '"', t.size() - pos));
    if (p == nullptr) return kNpos;
    size_t quote = p - t.data();
    // The quote is escaped if an odd number of backslashes precedes it.
    size_t backslashes = 0;
    while (quote - backslashes > pos && t[quote - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return quote + 1;
    pos = quote + 1;
  }
  return kNpos;
}

struct Skipped {
  size_t end = kNpos;  // just past the value; kNpos on error
  size_t depth = 0;    // deepest nesting seen
  const char* error = nullptr;
  size_t error_at = 0;
};

// `pos` is at the first character of a value. Finds where the value ends without building
// anything: strings are skipped whole, brackets are counted (never recursed into). The
// grammar inside is not checked here; each object's parser does that.
Skipped SkipValue(std::string_view t, size_t pos) {
  char c = t[pos];
  if (c == '"') {
    size_t end = SkipString(t, pos);
    if (end == kNpos) return {kNpos, 0, "a string does not end (truncated?)", pos};
    return {end, 0, nullptr, 0};
  }
  if (c != '{' && c != '[') {
    size_t end = pos;
    while (end < t.size() && !IsSpace(t[end]) && t[end] != ',' && t[end] != ']' && t[end] != '}') ++end;
    if (end == pos) return {kNpos, 0, "expected a JSON value", pos};
    return {end, 0, nullptr, 0};
  }
  size_t depth = 0, max_depth = 0;
  const size_t start = pos;
  while (pos < t.size()) {
    c = t[pos];
    if (c == '"') {
      size_t end = SkipString(t, pos);
      if (end == kNpos) return {kNpos, max_depth, "a string does not end (truncated?)", pos};
      pos = end;
      continue;
    }
    if (c == '{' || c == '[') {
      if (++depth > max_depth) max_depth = depth;
    } else if ((c == '}' || c == ']') && --depth == 0) {
      return {pos + 1, max_depth, nullptr, 0};
    }
    ++pos;
  }
  return {kNpos, max_depth, "the input ends inside this value (truncated?)", start};
}

// Reads a member name at `pos` (a quote). Returns the name (escapes left as written) and
// moves `pos` past the ':' and following space; kNpos in `pos` on error.
std::string_view MemberName(std::string_view t, size_t& pos) {
  size_t end = SkipString(t, pos);
  if (end == kNpos) {
    pos = kNpos;
    return {};
  }
  std::string_view name = t.substr(pos + 1, end - pos - 2);
  pos = SkipSpace(t, end);
  if (pos >= t.size() || t[pos] != ':') {
    pos = kNpos;
    return {};
  }
  pos = SkipSpace(t, pos + 1);
  return name;
}

}  // namespace

std::string_view DocumentFormatName(DocumentFormat format) {
  switch (format) {
    case DocumentFormat::kAuto: return "auto";
    case DocumentFormat::kBundle: return "bundle";
    case DocumentFormat::kEnvelope: return "envelope";
    case DocumentFormat::kList: return "list";
    case DocumentFormat::kJsonLines: return "jsonl";
    case DocumentFormat::kObject: return "object";
  }
  return "auto";
}

DocumentReader::DocumentReader(std::string_view text, ReaderOptions options, DocumentFormat format)
    : text_(text), options_(options), format_(format) {}

std::pair<uint32_t, uint32_t> DocumentReader::Locate(size_t offset) {
  offset = std::min(offset, text_.size());
  if (offset < line_offset_) {  // going back: count again from the start
    line_offset_ = line_start_ = 0;
    line_ = 1;
  }
  const char* p = text_.data() + line_offset_;
  const char* end = text_.data() + offset;
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
    if (nl == nullptr) break;
    ++line_;
    line_start_ = nl + 1 - text_.data();
    p = nl + 1;
  }
  line_offset_ = offset;
  return {line_, static_cast<uint32_t>(offset - line_start_ + 1)};
}

std::string DocumentReader::Where(size_t offset) {
  auto [line, column] = Locate(offset);
  return StrCat("line ", line, ", column ", column);
}

absl::Status DocumentReader::ErrorAt(size_t offset, std::string_view what) {
  error_ = absl::InvalidArgumentError(StrCat(Where(offset), ": ", what));
  done_ = true;
  return error_;
}

void DocumentReader::CheckSpan(size_t depth, ObjectSpan& span) const {
  span.error.clear();
  if (span.json.empty() || span.json[0] != '{') {
    span.error = "expected a JSON object";
  } else if (span.json.size() > options_.max_object_bytes) {
    span.error = StrCat("the object is ", span.json.size(), " bytes, more than the limit of ",
                        options_.max_object_bytes);
  } else if (depth > options_.max_depth) {
    span.error = StrCat("the object nests ", depth, " levels deep, more than the limit of ",
                        options_.max_depth);
  }
}

// Finds out what the document is and positions the scan at its first object.
absl::Status DocumentReader::Start() {
  started_ = true;
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // UTF-8 byte order mark
  pos_ = SkipSpace(text_, pos_);
  if (pos_ >= text_.size()) return ErrorAt(pos_, "the document is empty");
  if (format_ == DocumentFormat::kJsonLines) return absl::OkStatus();
  if (text_[pos_] == '[') {
    if (format_ != DocumentFormat::kAuto && format_ != DocumentFormat::kList) {
      return ErrorAt(pos_, StrCat("expected a ", DocumentFormatName(format_), ", found a JSON list"));
    }
    format_ = DocumentFormat::kList;
    ++pos_;
    return absl::OkStatus();
  }
  if (text_[pos_] != '{') return ErrorAt(pos_, "expected a JSON object or list");
  return StartObject();
}

// The document is one top-level object: a bundle, an envelope, a single STIX object, or the
// first line of JSON lines. Its members are read one by one; when the `objects` list of a
// bundle or envelope is reached and the kind is known, objects are handed out from there,
// so the list is scanned only once.
absl::Status DocumentReader::StartObject() {
  const size_t top = pos_;
  std::string_view type;
  bool has_type = false;
  size_t objects_at = kNpos;
  size_t p = SkipSpace(text_, top + 1);
  while (p < text_.size() && text_[p] != '}') {
    if (text_[p] != '"') return ErrorAt(p, "expected a member name");
    size_t value_at = p;
    std::string_view key = MemberName(text_, value_at);
    if (value_at >= text_.size()) return ErrorAt(p, "expected a member name followed by ':'");
    if (key == "objects" && text_[value_at] == '[' && (!has_type || type == "bundle")) {
      objects_at = value_at;
      if (has_type) break;  // a bundle whose type came first: stream from here
    }
    Skipped value = SkipValue(text_, value_at);
    if (value.end == kNpos) return ErrorAt(value.error_at, value.error);
    if (key == "type") {
      has_type = true;
      type = text_[value_at] == '"' ? text_.substr(value_at + 1, value.end - value_at - 2) : "";
    }
    p = SkipSpace(text_, value.end);
    if (p < text_.size() && text_[p] == ',') {
      p = SkipSpace(text_, p + 1);
    } else if (p >= text_.size() || text_[p] != '}') {
      return ErrorAt(p, "expected ',' or '}' after a member (truncated?)");
    }
  }
  if (p >= text_.size()) return ErrorAt(top, "the object does not end (truncated?)");

  DocumentFormat found;
  if (has_type && type == "bundle") {
    found = DocumentFormat::kBundle;
  } else if (has_type) {
    found = DocumentFormat::kObject;
  } else if (objects_at != kNpos) {
    found = DocumentFormat::kEnvelope;
  } else {
    return ErrorAt(top, "not a STIX object, bundle or TAXII envelope: no \"type\" and no \"objects\"");
  }
  if (found == DocumentFormat::kObject) {
    size_t after = SkipSpace(text_, p + 1);
    if (after < text_.size() && text_[after] == '{' &&
        (format_ == DocumentFormat::kAuto || format_ == DocumentFormat::kJsonLines)) {
      format_ = DocumentFormat::kJsonLines;
      pos_ = top;
      return absl::OkStatus();
    }
    if (after < text_.size()) return ErrorAt(after, "unexpected text after the JSON object");
  }
  bool compatible = format_ == DocumentFormat::kAuto || format_ == found ||
                    (format_ == DocumentFormat::kBundle && found == DocumentFormat::kEnvelope);
  if (!compatible) {
    return ErrorAt(top, StrCat("expected a ", DocumentFormatName(format_), ", found a ",
                               DocumentFormatName(found)));
  }
  format_ = found;
  if (found == DocumentFormat::kObject) {
    pos_ = top;
    object_end_ = p + 1;
  } else if (objects_at == kNpos) {
    done_ = true;  // a bundle without objects holds nothing
    return FinishTopObject(p);
  } else {
    pos_ = objects_at + 1;
    rest_of_top_ = true;
  }
  return absl::OkStatus();
}

// `pos` is just after the objects list (or at the top object's '}'): checks that the top
// object ends properly and nothing follows it.
absl::Status DocumentReader::FinishTopObject(size_t pos) {
  size_t p = SkipSpace(text_, pos);
  while (p < text_.size() && text_[p] == ',') {
    p = SkipSpace(text_, p + 1);
    if (p >= text_.size() || text_[p] != '"') return ErrorAt(p, "expected a member name");
    size_t value_at = p;
    MemberName(text_, value_at);
    if (value_at >= text_.size()) return ErrorAt(p, "expected a member name followed by ':'");
    Skipped value = SkipValue(text_, value_at);
    if (value.end == kNpos) return ErrorAt(value.error_at, value.error);
    p = SkipSpace(text_, value.end);
  }
  if (p >= text_.size() || text_[p] != '}') return ErrorAt(p, "expected '}' to end the document (truncated?)");
  p = SkipSpace(text_, p + 1);
  if (p < text_.size()) return ErrorAt(p, "unexpected text after the document");
  return absl::OkStatus();
}

absl::StatusOr<bool> DocumentReader::NextInArray(ObjectSpan& span) {
  size_t p = SkipSpace(text_, pos_);
  if (p < text_.size() && text_[p] == ']') {
    done_ = true;
    if (rest_of_top_) KZ_RETURN_IF_ERROR(FinishTopObject(p + 1));
    size_t after = SkipSpace(text_, p + 1);
    if (!rest_of_top_ && after < text_.size()) return ErrorAt(after, "unexpected text after the list");
    return false;
  }
  if (!first_in_array_) {
    if (p >= text_.size()) return ErrorAt(p, "the list of objects does not end (truncated?)");
    if (text_[p] != ',') return ErrorAt(p, "expected ',' or ']' after an object");
    p = SkipSpace(text_, p + 1);
  }
  if (p >= text_.size()) return ErrorAt(p, "the list of objects does not end (truncated?)");
  first_in_array_ = false;
  Skipped value = SkipValue(text_, p);
  if (value.end == kNpos) return ErrorAt(value.error_at, value.error);
  pos_ = value.end;
  span.json = text_.substr(p, value.end - p);
  span.offset = p;
  CheckSpan(value.depth, span);
  return true;
}

absl::StatusOr<bool> DocumentReader::NextLine(ObjectSpan& span) {
  size_t p = SkipSpace(text_, pos_);
  if (p >= text_.size()) {
    done_ = true;
    return false;
  }
  const char* nl = static_cast<const char*>(std::memchr(text_.data() + p, '\n', text_.size() - p));
  size_t end = nl ? static_cast<size_t>(nl - text_.data()) : text_.size();
  pos_ = end;
  while (end > p && IsSpace(text_[end - 1])) --end;
  span.json = text_.substr(p, end - p);
  span.offset = p;
  if (span.json.size() > options_.max_object_bytes || text_[p] != '{') {
    CheckSpan(0, span);
    return true;
  }
  // A line is scanned on its own, so a broken line cannot swallow the next ones.
  Skipped value = SkipValue(text_.substr(0, end), p);
  CheckSpan(value.depth, span);
  if (!span.error.empty()) return true;
  if (value.end == kNpos) {
    span.error = StrCat("malformed JSON: ", value.error);
  } else if (value.end != end) {
    span.error = "unexpected text after the object on this line";
  }
  return true;
}

absl::StatusOr<bool> DocumentReader::Next(ObjectSpan& span) {
  if (!error_.ok()) return error_;
  if (done_) return false;
  if (!started_) KZ_RETURN_IF_ERROR(Start());
  if (done_) return false;
  switch (format_) {
    case DocumentFormat::kJsonLines:
      return NextLine(span);
    case DocumentFormat::kObject: {
      done_ = true;
      span.json = text_.substr(pos_, object_end_ - pos_);
      span.offset = pos_;
      CheckSpan(SkipValue(text_, pos_).depth, span);
      return true;
    }
    default:
      return NextInArray(span);
  }
}

}  // namespace kizuna::stix
