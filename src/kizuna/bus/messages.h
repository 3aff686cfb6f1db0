// Kizuna. What travels over NATS JetStream between sensors, matcher workers and the node:
// streams, subjects, headers and the two JSON documents (docs/bus.md).
#pragma once

// Three streams:
//   KIZUNA_TELEMETRY   kizuna.telemetry    batches of whole telemetry lines (`kizuna ship`);
//                      work-queue retention: a batch acknowledged by a worker is removed.
//   KIZUNA_SIGHTINGS   kizuna.sightings    one SightingReport per telemetry batch matched
//                      (workers), message id "s:" + the batch's id, so a batch matched twice
//                      (redelivered after a worker died) is stored once by the stream.
//   KIZUNA_INDICATORS  kizuna.indicators.head and .chunk.N, last message per subject kept:
//                      the node's indicator set, as the indicators' JSON lines in chunks, and
//                      a head naming its version and number of chunks (SetHead).
//
// Thread-safety: functions without shared state.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/bus/jetstream.h"
#include "kizuna/detect/sightings.h"

namespace kizuna::bus {

inline constexpr char kTelemetryStream[] = "KIZUNA_TELEMETRY";
inline constexpr char kTelemetrySubject[] = "kizuna.telemetry";
inline constexpr char kSightingsStream[] = "KIZUNA_SIGHTINGS";
inline constexpr char kSightingsSubject[] = "kizuna.sightings";
inline constexpr char kIndicatorsStream[] = "KIZUNA_INDICATORS";
inline constexpr char kSetHeadSubject[] = "kizuna.indicators.head";
inline constexpr char kSetChunkPrefix[] = "kizuna.indicators.chunk.";

// Headers of a telemetry batch: the input's file name on the sensor (its log type for Zeek
// JSON and JSON lines, as `kizuna match` reads it from a file name), the format ("auto",
// "zeek", "eve", "jsonl"), the records it holds, and when it was published (microseconds
// since the epoch, for the publish-to-sighting delay).
inline constexpr char kHeaderInput[] = "Kizuna-Input";
inline constexpr char kHeaderFormat[] = "Kizuna-Format";
inline constexpr char kHeaderRecords[] = "Kizuna-Records";
inline constexpr char kHeaderShipped[] = "Kizuna-Shipped-Us";
// On each chunk of the indicator set: the set's version.
inline constexpr char kHeaderSetVersion[] = "Kizuna-Set-Version";

// Entries in one SightingReport, and chunks in one indicator set.
inline constexpr size_t kMaxReportEntries = 100000;
inline constexpr int64_t kMaxSetChunks = 100000;
// Bytes of indicator JSON lines per chunk (under the server's max payload).
inline constexpr size_t kSetChunkBytes = 900 * 1024;

StreamSpec TelemetryStreamSpec();
// `duplicate_window_s`: how long the stream remembers the ids of reports; `max_age_s`: how
// long reports are kept (the node rebuilds its counts from them when it starts).
StreamSpec SightingsStreamSpec(int64_t duplicate_window_s, int64_t max_age_s);
StreamSpec IndicatorsStreamSpec();

// What a worker found in one telemetry batch.
struct SightingReport {
  std::string batch;         // the telemetry batch's message id
  int64_t records = 0;       // records read from it
  int64_t shipped_us = 0;    // from its kHeaderShipped (0: unknown)
  uint64_t set_version = 0;  // the indicator set it was matched against
  std::vector<detect::SightingAggregator::Entry> entries;
};

std::string EncodeSightingReport(const SightingReport& report);
// InvalidArgument naming `where` and what is wrong (not JSON, a field missing or of the
// wrong type, an indicator id that is not one, counts out of range, too many entries).
absl::StatusOr<SightingReport> DecodeSightingReport(std::string_view json, std::string_view where);

// The head of an indicator set.
struct SetHead {
  uint64_t version = 0;
  int64_t chunks = 0;
  int64_t indicators = 0;
  int64_t window_s = 0;  // the sighting window workers count in
};

std::string EncodeSetHead(const SetHead& head);
absl::StatusOr<SetHead> DecodeSetHead(std::string_view json, std::string_view where);

// Cuts JSON lines (one object each, '\n' ended) into chunks of at most kSetChunkBytes, each
// of whole lines. A line longer than that is left out and counted in `*too_long`.
std::vector<std::string> ChunkLines(std::string_view lines, int64_t* too_long);

}  // namespace kizuna::bus
