// Kizuna.
#include "kizuna/detect/alerts.h"

#include "kizuna/base/json_string.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/event_time.h"

namespace kizuna::detect {
namespace {

// Returns the length of the valid UTF-8 sequence at `s[i]`, or 0.
size_t Utf8Length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t min;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  uint32_t cp = c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

void AppendJsonText(std::string_view text, std::string& out) {
  size_t i = 0;
  for (; i < text.size(); ++i) {
    if (static_cast<unsigned char>(text[i]) >= 0x80) break;
  }
  if (i == text.size()) {
    AppendJsonString(text, out);
    return;
  }
  std::string clean(text.substr(0, i));
  while (i < text.size()) {
    const size_t n = Utf8Length(text, i);
    if (n == 0) {
      clean += "\xEF\xBF\xBD";
      ++i;
    } else {
      clean.append(text.substr(i, n));
      i += n;
    }
  }
  AppendJsonString(clean, out);
}

void AppendAlert(const Snapshot& snapshot, const RecordBatch& batch, const Record& record,
                 std::span<const Match> matches, std::string_view input, std::string& out) {
  out += "{";
  if (record.has_time) StrAppend(out, R"("time":")", FormatEventTime(record.time_us), R"(",)");
  out += R"("log_type":)";
  AppendJsonText(record.log_type, out);
  out += R"(,"input":)";
  AppendJsonText(input, out);
  StrAppend(out, R"(,"line":)", record.line, R"(,"matches":[)");
  bool first = true;
  for (const Match& m : matches) {
    if (!first) out += ",";
    first = false;
    StrAppend(out, R"({"indicator":")", snapshot.IndicatorId(m.indicator), "\"");
    if (m.evaluated) {
      out += R"(,"evaluated":true})";
      continue;
    }
    StrAppend(out, R"(,"path":")", SlotPath(m.slot), R"(","value":)");
    AppendJsonText(m.value, out);
    if (m.field != 0xFFFF) {
      FieldValue v;
      v.field = m.field;
      const std::string_view name = batch.FieldName(record, v);
      if (!name.empty()) {
        out += R"(,"field":)";
        AppendJsonText(name, out);
      }
    }
    out += "}";
  }
  out += R"(],"record":)";
  if (record.json) {
    out += record.raw;
  } else {
    AppendJsonText(record.raw, out);
  }
  out += "}\n";
}

}  // namespace kizuna::detect
