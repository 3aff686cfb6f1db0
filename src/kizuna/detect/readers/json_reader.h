// Kizuna. JSON telemetry: Suricata EVE, Zeek JSON and generic JSON lines.
#pragma once

// JsonReader names each scalar of a line by its dotted path with array levels dropped
// ("dns.answers.rdata"); the field map of the line's log type gives the roles. The log type
// is `event_type` (EVE), else `_path` (Zeek), else the file's log type. Which built-in map
// applies follows the format:
//   kEve    EveFieldMap;  kZeek  ZeekFieldMap;
//   kAuto   EVE when the line has event_type, Zeek otherwise;
//   kJsonl  only the user map.
// The user map (ReaderOptions::user_map) is consulted first in every case. Numbers are
// written back as their decimal text (ports); booleans and nulls give nothing.
//
// Two walks give the same records: the On-Demand walk (ondemand_walk.h), which reads only
// the mapped fields and is used where the CPU runs it, and the DOM walk, which parses the
// whole line (ReaderOptions::json_dom, or CPUs without AVX2).
// Malformed: a line that is not one JSON object (invalid UTF-8, broken or truncated JSON,
// text after the object), nesting deeper than 32 levels. The On-Demand walk does not parse
// the values of unmapped fields, so a defect only there goes unnoticed (ondemand_walk.h).
//
// Thread-safety: one thread (lines carry no state from one to the next, so each thread
// parses blocks of one input with a JsonReader of its own).

#include <memory>
#include <string>
#include <string_view>

#include "absl/container/node_hash_map.h"
#include "kizuna/detect/event_time.h"
#include "kizuna/detect/readers/json_walk.h"
#include "kizuna/detect/readers/ondemand_walk.h"
#include "kizuna/detect/readers/reader.h"
#include "simdjson.h"

namespace kizuna::detect {

class JsonReader final : public LineParser, private JsonSink {
 public:
  JsonReader(const ReaderOptions& options, TelemetryFormat format, std::string file_log_type);

 private:
  void DoLine(std::string_view line, uint64_t number, const LineBlock& block,
              RecordBatch& batch) override;
  // JsonSink:
  const JsonPaths& Paths(const std::string_view* event_type,
                         const std::string_view* zeek_path) override;
  void Scalar(const JsonPath& path, const JsonScalar& value) override;

  // The DOM walk: parses `line` whole and reports to this sink.
  JsonWalkResult WalkDom(std::string_view line);
  bool WalkDom(simdjson::dom::element element, int depth);
  void ScalarDom(simdjson::dom::element element);

  TelemetryFormat format_;
  std::unique_ptr<OnDemandWalker> ondemand_;  // null: the DOM walk
  simdjson::dom::parser dom_;
  absl::node_hash_map<std::string, JsonPaths> maps_;  // by (eve ? "e:" : "z:") + log type
  const JsonPaths* current_ = nullptr;  // the current line's
  bool current_eve_ = false;
  RecordBatch* batch_ = nullptr;        // the current line's
  Record* record_ = nullptr;
  EventTimeParser times_;
  std::string path_;  // DOM walk: of the value being visited
  std::string key_;
};

}  // namespace kizuna::detect
