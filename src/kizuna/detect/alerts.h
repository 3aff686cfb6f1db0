// Kizuna. Alerts: one JSON line per telemetry record that matched.
#pragma once

// An alert names the record (input and line, log type, event time), every indicator it
// matched with the value and field that did (or "evaluated": true for a pattern the
// evaluator decided), and carries the record itself: a JSON record as is, a Zeek TSV line
// as a string. Example (one line):
//
//   {"time":"2018-03-24T17:15:20.865716Z","log_type":"dns","input":"dns.log","line":9,
//    "matches":[{"indicator":"indicator--...","path":"domain-name:value",
//                "value":"ise.wrccdc.org","field":"query"}],
//    "record":"1521911720.865716\tCqKst53mF3det3eDV9\t..."}
//
// Strings that are not valid UTF-8 (TSV input is taken as bytes) are written with each
// invalid byte replaced by U+FFFD, so every alert is valid JSON.
//
// Thread-safety: stateless.

#include <span>
#include <string>
#include <string_view>

#include "kizuna/detect/matcher.h"
#include "kizuna/detect/record.h"
#include "kizuna/detect/snapshot.h"

namespace kizuna::detect {

// Appends the alert of `record` (matched by `matches`, all of that record) and a newline.
void AppendAlert(const Snapshot& snapshot, const RecordBatch& batch, const Record& record,
                 std::span<const Match> matches, std::string_view input, std::string& out);

// Appends `text` as a JSON string literal, replacing invalid UTF-8 bytes by U+FFFD.
void AppendJsonText(std::string_view text, std::string& out);

}  // namespace kizuna::detect
