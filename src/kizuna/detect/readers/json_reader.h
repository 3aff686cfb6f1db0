// Kizuna. JSON telemetry: Suricata EVE, Zeek JSON and generic JSON lines.
#pragma once

// JsonReader parses each line with simdjson and walks the object, naming each scalar by
// its dotted path with array levels dropped ("dns.answers.rdata"); the field map of the
// line's log type gives the roles. The log type is `event_type` (EVE), else `_path`
// (Zeek), else the file's log type. Which built-in map applies follows the format:
//   kEve    EveFieldMap;  kZeek  ZeekFieldMap;
//   kAuto   EVE when the line has event_type, Zeek otherwise;
//   kJsonl  only the user map.
// The user map (ReaderOptions::user_map) is consulted first in every case. Numbers are
// written back as their decimal text (ports); booleans and nulls give nothing.
// Malformed: a line that is not one JSON object, nesting deeper than 32 levels.
//
// Thread-safety: one thread.

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "kizuna/detect/readers/reader.h"
#include "simdjson.h"

namespace kizuna::detect {

class JsonReader final : public TelemetryReader {
 public:
  JsonReader(const ReaderOptions& options, TelemetryFormat format);

 private:
  // The roles of one log type's fields, and their names for Record::field_names.
  struct TypeMap {
    std::string log_type;
    absl::flat_hash_map<std::string, std::pair<Role, uint16_t>> fields;
    std::vector<std::string> names;
    bool eve = false;
  };

  void DoLine(std::string_view line, uint64_t number, RecordBatch& batch) override;
  TypeMap& MapFor(std::string_view log_type, bool eve);
  // Walks `element`; false when nesting is too deep.
  bool Walk(simdjson::dom::element element, int depth, TypeMap& map, Record& record,
            RecordBatch& batch);
  void Scalar(simdjson::dom::element element, TypeMap& map, Record& record, RecordBatch& batch);

  TelemetryFormat format_;
  simdjson::dom::parser parser_;
  absl::node_hash_map<std::string, TypeMap> maps_;  // by (eve ? "e:" : "z:") + log type
  std::string path_;  // of the value being visited
  std::string key_;
};

}  // namespace kizuna::detect
