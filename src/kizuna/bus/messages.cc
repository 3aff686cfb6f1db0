// Kizuna. Streams, subjects and documents of the telemetry bus (messages.h).
#include "kizuna/bus/messages.h"

#include <boost/json.hpp>

#include "kizuna/base/strings.h"

namespace kizuna::bus {
namespace {

constexpr int64_t kTelemetryMaxAgeS = 7 * 86400;

absl::Status Bad(std::string_view where, std::string_view what) {
  return absl::InvalidArgumentError(StrCat(where, ": ", what));
}

absl::StatusOr<boost::json::object> ParseObject(std::string_view json, std::string_view where) {
  boost::system::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = 8;
  boost::json::value v =
      boost::json::parse(boost::json::string_view(json.data(), json.size()), ec, {}, opts);
  if (ec) return Bad(where, StrCat("not JSON: ", ec.message()));
  if (!v.is_object()) return Bad(where, "not a JSON object");
  return std::move(v.as_object());
}

// The field `key` as an integer >= 0.
absl::StatusOr<int64_t> Count(const boost::json::object& o, std::string_view key,
                              std::string_view where) {
  const boost::json::value* v = o.if_contains(boost::json::string_view(key.data(), key.size()));
  if (v == nullptr) return Bad(where, StrCat("\"", key, "\" missing"));
  if (v->is_int64() && v->as_int64() >= 0) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(INT64_MAX))
    return static_cast<int64_t>(v->as_uint64());
  return Bad(where, StrCat("\"", key, "\" is not a whole number >= 0"));
}

absl::StatusOr<detect::SightingAggregator::Entry> DecodeEntry(const boost::json::value& v,
                                                              std::string_view where) {
  if (!v.is_object()) return Bad(where, "an entry is not an object");
  const boost::json::object& o = v.as_object();
  detect::SightingAggregator::Entry e;
  const boost::json::value* id = o.if_contains("indicator");
  if (id == nullptr || !id->is_string() ||
      !detect::ParseIndicatorUuid(std::string_view(id->as_string().data(), id->as_string().size()),
                                  e.indicator)) {
    return Bad(where, "an entry's \"indicator\" is not an indicator id");
  }
  absl::StatusOr<int64_t> window = Count(o, "window_start_us", where);
  absl::StatusOr<int64_t> first = Count(o, "first_us", where);
  absl::StatusOr<int64_t> last = Count(o, "last_us", where);
  absl::StatusOr<int64_t> count = Count(o, "count", where);
  for (const absl::StatusOr<int64_t>* f : {&window, &first, &last, &count}) {
    if (!f->ok()) return f->status();
  }
  e.window_start_us = *window;
  e.first_us = *first;
  e.last_us = *last;
  e.count = *count;
  if (e.count < 1 || e.count > detect::kMaxSightingCount || e.first_us > e.last_us ||
      e.first_us < e.window_start_us) {
    return Bad(where, StrCat("entry of ", id->as_string().c_str(),
                             ": count, first and last out of order or range"));
  }
  return e;
}

}  // namespace

StreamSpec TelemetryStreamSpec() {
  StreamSpec s;
  s.name = kTelemetryStream;
  s.subjects = {kTelemetrySubject};
  s.retention = Retention::kWorkQueue;
  s.max_age_s = kTelemetryMaxAgeS;
  s.duplicate_window_s = 600;
  return s;
}

StreamSpec SightingsStreamSpec(int64_t duplicate_window_s, int64_t max_age_s) {
  StreamSpec s;
  s.name = kSightingsStream;
  s.subjects = {kSightingsSubject};
  s.duplicate_window_s = duplicate_window_s;
  s.max_age_s = max_age_s;
  return s;
}

StreamSpec IndicatorsStreamSpec() {
  StreamSpec s;
  s.name = kIndicatorsStream;
  s.subjects = {StrCat(kSetHeadSubject), StrCat(kSetChunkPrefix, "*")};
  s.max_msgs_per_subject = 1;
  return s;
}

std::string EncodeSightingReport(const SightingReport& report) {
  boost::json::array entries;
  for (const auto& e : report.entries) {
    entries.push_back({{"indicator", detect::FormatIndicatorId(e.indicator)},
                       {"window_start_us", e.window_start_us},
                       {"first_us", e.first_us},
                       {"last_us", e.last_us},
                       {"count", e.count}});
  }
  boost::json::object o{{"batch", report.batch},
                        {"records", report.records},
                        {"shipped_us", report.shipped_us},
                        {"set_version", report.set_version},
                        {"entries", std::move(entries)}};
  return boost::json::serialize(o);
}

absl::StatusOr<SightingReport> DecodeSightingReport(std::string_view json, std::string_view where) {
  absl::StatusOr<boost::json::object> o = ParseObject(json, where);
  if (!o.ok()) return o.status();
  SightingReport r;
  const boost::json::value* batch = o->if_contains("batch");
  if (batch == nullptr || !batch->is_string() || batch->as_string().size() > kMaxNameBytes * 4) {
    return Bad(where, "\"batch\" is not a batch id");
  }
  r.batch = std::string(batch->as_string().data(), batch->as_string().size());
  absl::StatusOr<int64_t> records = Count(*o, "records", where);
  if (!records.ok()) return records.status();
  r.records = *records;
  absl::StatusOr<int64_t> shipped = Count(*o, "shipped_us", where);
  if (!shipped.ok()) return shipped.status();
  r.shipped_us = *shipped;
  absl::StatusOr<int64_t> version = Count(*o, "set_version", where);
  if (!version.ok()) return version.status();
  r.set_version = static_cast<uint64_t>(*version);
  const boost::json::value* entries = o->if_contains("entries");
  if (entries == nullptr || !entries->is_array()) return Bad(where, "\"entries\" is not an array");
  if (entries->as_array().size() > kMaxReportEntries) {
    return Bad(where, StrCat("more than ", kMaxReportEntries, " entries"));
  }
  for (const boost::json::value& v : entries->as_array()) {
    absl::StatusOr<detect::SightingAggregator::Entry> e = DecodeEntry(v, where);
    if (!e.ok()) return e.status();
    r.entries.push_back(*e);
  }
  return r;
}

std::string EncodeSetHead(const SetHead& head) {
  boost::json::object o{{"version", head.version},
                        {"chunks", head.chunks},
                        {"indicators", head.indicators},
                        {"window_s", head.window_s}};
  return boost::json::serialize(o);
}

absl::StatusOr<SetHead> DecodeSetHead(std::string_view json, std::string_view where) {
  absl::StatusOr<boost::json::object> o = ParseObject(json, where);
  if (!o.ok()) return o.status();
  SetHead h;
  absl::StatusOr<int64_t> version = Count(*o, "version", where);
  absl::StatusOr<int64_t> chunks = Count(*o, "chunks", where);
  absl::StatusOr<int64_t> indicators = Count(*o, "indicators", where);
  absl::StatusOr<int64_t> window = Count(*o, "window_s", where);
  for (const absl::StatusOr<int64_t>* f : {&version, &chunks, &indicators, &window}) {
    if (!f->ok()) return f->status();
  }
  if (*chunks > kMaxSetChunks) return Bad(where, StrCat("more than ", kMaxSetChunks, " chunks"));
  if (*window < 1) return Bad(where, "\"window_s\" is not a positive number of seconds");
  h.version = static_cast<uint64_t>(*version);
  h.chunks = *chunks;
  h.indicators = *indicators;
  h.window_s = *window;
  return h;
}

std::vector<std::string> ChunkLines(std::string_view lines, int64_t* too_long) {
  std::vector<std::string> chunks;
  std::string current;
  size_t start = 0;
  while (start < lines.size()) {
    size_t end = lines.find('\n', start);
    end = end == std::string_view::npos ? lines.size() : end + 1;
    const std::string_view line = lines.substr(start, end - start);
    start = end;
    if (line.size() > kSetChunkBytes) {
      ++*too_long;
      continue;
    }
    if (current.size() + line.size() > kSetChunkBytes)
      chunks.push_back(std::move(current)), current.clear();
    current.append(line);
    if (current.back() != '\n') current.push_back('\n');
  }
  if (!current.empty()) chunks.push_back(std::move(current));
  return chunks;
}

}  // namespace kizuna::bus
