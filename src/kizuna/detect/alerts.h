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
// A multi-observation pattern that matched over several records (correlator.h) gives one
// alert for the record that completed the match, with "correlated" listing every record the
// match used (that one included), in time order, each with its time, log type, line and
// record; the matches entry says "evaluated": true and how many records took part:
//
//   {"time":"2018-03-24T17:16:02.000000Z","log_type":"http","input":"eve.json","line":12,
//    "matches":[{"indicator":"indicator--...","evaluated":true,"correlated":2}],
//    "record":{...},
//    "correlated":[{"time":"...","log_type":"dns","line":7,"record":{...}},
//                  {"time":"...","log_type":"http","line":12,"record":{...}}]}
//
// With IndicatorDetails (indicator_details.h), each match also carries the indicator's
// name, labels, TLP, creator and collection, looked up once per indicator hit.
//
// A record without a usable event time has no "time"; it takes part in no correlation and
// makes no sighting (match_run.h).
//
// Strings that are not valid UTF-8 (TSV input is taken as bytes) are written with each
// invalid byte replaced by U+FFFD, so every alert is valid JSON.
//
// Thread-safety: stateless.

#include <span>
#include <string>
#include <string_view>

#include "kizuna/detect/correlator.h"
#include "kizuna/detect/indicator_details.h"
#include "kizuna/detect/matcher.h"
#include "kizuna/detect/record.h"
#include "kizuna/detect/snapshot.h"

namespace kizuna::detect {

// Appends the alert of `record` (matched by `matches`, all of that record) and a newline.
// `details`: null, or where the indicators' details come from.
void AppendAlert(const Snapshot& snapshot, const RecordBatch& batch, const Record& record,
                 std::span<const Match> matches, std::string_view input,
                 IndicatorDetails* details, std::string& out);

// Appends the alert of a correlation `hit` of `snapshot`'s indicators, and a newline.
void AppendCorrelationAlert(const Snapshot& snapshot, const CorrelationHit& hit,
                            std::string_view input, IndicatorDetails* details,
                            std::string& out);

// Appends `text` as a JSON string literal, replacing invalid UTF-8 bytes by U+FFFD.
void AppendJsonText(std::string_view text, std::string& out);

}  // namespace kizuna::detect
