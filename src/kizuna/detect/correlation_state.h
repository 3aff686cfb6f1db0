// Kizuna. The pending events of multi-observation patterns as JSON, for `kizuna match --resume`.
#pragma once

// A periodic match over growing telemetry (`kizuna match --resume`, cli/match_resume.h) keeps,
// per input, the events its correlator still held when the run ended (Correlator::Pending):
// the next run puts them back (MatchOptions::resume_pending), so a pattern whose observations
// fall in different runs matches as in one run over the whole input. The JSON of one input:
//
//   {"events": [{"time_us": ..., "line": 12, "log_type": "dns", "raw": "...", "json": false,
//                "observation": {"id": "...", "first": [s, ns, digits], "last": [...],
//                                "count": 1, "scos": [{"type": "domain-name", "key": "...",
//                                                      "members": [NODE...]}]}}],
//    "patterns": [{"indicator": "indicator--...", "pattern": "[...] FOLLOWEDBY [...]",
//                  "newest_us": ..., "events": [0, 3]}]}
//
// An event several patterns wait on is written once (`patterns[].events` index `events`).
// NODE is [kind, key, value]: kind "n" (null, no value), "b" (bool), "i" (integer), "f" (a
// double's IEEE bits as an integer, so it reads back exactly), "s" (string), "x" (binary, as
// hex), "o" and "l" (object and list, value the children). An observation reads back equal
// to the one written.
//
// Bounds: what is written is what the correlators hold (correlator.h: at most
// CorrelationOptions::max_events events per pattern, within its time bound); reading checks
// every member and Observation's limits, and refuses more than kMaxPendingEvents events per
// input (or named by its patterns in all), an event named twice by one pattern, a JSON
// event whose `raw` is not one JSON value on one line (alert records take it as it is), or
// children nested deeper than kMaxPendingDepth, with an error naming where. The correlator
// keeps at most max_events of a pattern's events and takes its newest time from them
// (Correlator::Restore).
//
// Thread-safety: functions without shared state.

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/detect/correlator.h"

namespace kizuna::detect {

// Most events read back for one input: every pattern's buffer full.
inline constexpr size_t kMaxPendingEvents = size_t{1} << 20;
// Deepest nesting of an observation's values read back.
inline constexpr int kMaxPendingDepth = 16;

// The JSON of one input's pending events.
boost::json::object PendingToJson(const std::vector<PendingEvents>& pending);

// Reads what PendingToJson wrote. InvalidArgument "`where`: what" (`where` extended with the
// member at fault, e.g. "... events[3].observation.scos[0]: ...") for anything else.
absl::StatusOr<std::vector<PendingEvents>> PendingFromJson(const boost::json::value& json,
                                                           std::string_view where);

}  // namespace kizuna::detect
