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

// Appends `"time":...,"log_type":...` of an event, and a comma.
void AppendEventHead(bool has_time, int64_t time_us, std::string_view log_type,
                     std::string& out) {
  if (has_time) StrAppend(out, R"("time":")", FormatEventTime(time_us), R"(",)");
  out += R"("log_type":)";
  AppendJsonText(log_type, out);
  out += ",";
}

void AppendRecord(bool json, std::string_view raw, std::string& out) {
  out += R"("record":)";
  if (json) {
    out += raw;
  } else {
    AppendJsonText(raw, out);
  }
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
                 std::span<const Match> matches, std::string_view input,
                 IndicatorDetails* details, std::string& out) {
  out += "{";
  AppendEventHead(record.has_time, record.time_us, record.log_type, out);
  out += R"("input":)";
  AppendJsonText(input, out);
  StrAppend(out, R"(,"line":)", record.line, R"(,"matches":[)");
  bool first = true;
  for (const Match& m : matches) {
    if (!first) out += ",";
    first = false;
    StrAppend(out, R"({"indicator":")", snapshot.IndicatorId(m.indicator), "\"");
    if (details != nullptr) details->Append(snapshot.IndicatorUuid(m.indicator), out);
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
  out += "],";
  AppendRecord(record.json, record.raw, out);
  out += "}\n";
}

void AppendCorrelationAlert(const Snapshot& snapshot, const CorrelationHit& hit,
                            std::string_view input, IndicatorDetails* details,
                            std::string& out) {
  const CorrelationEvent& t = *hit.trigger;
  out += "{";
  AppendEventHead(true, t.time_us, t.log_type, out);
  out += R"("input":)";
  AppendJsonText(input, out);
  StrAppend(out, R"(,"line":)", t.line, R"(,"matches":[{"indicator":")",
            snapshot.IndicatorId(hit.indicator), "\"");
  if (details != nullptr) details->Append(snapshot.IndicatorUuid(hit.indicator), out);
  StrAppend(out, R"(,"evaluated":true,"correlated":)", hit.events.size(), "}],");
  AppendRecord(t.json, t.raw, out);
  out += R"(,"correlated":[)";
  for (size_t i = 0; i < hit.events.size(); ++i) {
    const CorrelationEvent& e = *hit.events[i];
    out += i == 0 ? "{" : ",{";
    AppendEventHead(true, e.time_us, e.log_type, out);
    StrAppend(out, R"("line":)", e.line, ",");
    AppendRecord(e.json, e.raw, out);
    out += "}";
  }
  out += "]}\n";
}

}  // namespace kizuna::detect
