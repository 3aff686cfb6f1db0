// Kizuna. Exports for sensors and resolvers: a collection's usable indicators as a Zeek
// intel file, Suricata datasets and rules, a DNS Response Policy Zone, or CSV.
#pragma once

// ExportForSensors is the one entry point (`kizuna export --format zeek-intel|suricata|rpz|
// csv`, and the JSON API when it mounts one). It reads the latest version of every indicator
// of one collection through policy::ReleasedReader, as the policy releases it to the
// principal who asks (a redacted copy is what is exported; what is withheld never shows,
// not even in the counts), and keeps only what a sensor can use:
//   - valid now (valid_from <= now < valid_until), not revoked, pattern_type "stix";
//   - a pattern the detection compiler reduces to lookup keys (detect/classify.h: an OR of
//     equalities, CIDR blocks, domain suffixes, address and port);
//   - keys no allowlist (MISP warninglist) allows;
//   - keys the format can express (sensor_format.h says which, per format).
// Every indicator left out is counted under its reason and listed (up to `max_listed`)
// with its id; keys dropped from an indicator that is still exported are counted too.
// The same key from several indicators is written once, for the first indicator read.
//
//   SensorExportOptions options;
//   options.format = SensorFormat::kRpz;
//   options.now_us = clock.NowMicros();
//   KZ_ASSIGN_OR_RETURN(SensorExport out,
//                       ExportForSensors(store, policy, principal, collection, options));
//   for (const ExportFile& f : out.files) ...  // write f.name with f.text
//
// Pages are read on a second thread while the calling thread classifies and writes.
// Thread-safety: stateless; safe to call concurrently as the store and policy are.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/detect/allowlist.h"
#include "kizuna/detect/export/sensor_format.h"
#include "kizuna/identity/principal.h"
#include "kizuna/pattern/limits.h"
#include "kizuna/policy/policy.h"
#include "kizuna/store/store.h"

namespace kizuna::detect {

struct SensorExportOptions {
  SensorFormat format = SensorFormat::kCsv;
  // The selection time (microseconds since the epoch). Required.
  int64_t now_us = 0;
  // Keys never to export; null for none. Must outlive the call.
  const Allowlist* allowlist = nullptr;
  // Zeek meta.source and the CSV source column. Default "kizuna".
  std::string source = "kizuna";
  // Prefix of the link back to each indicator (Zeek meta.url, CSV url, rule metadata): the
  // indicator id is appended. Empty: the TAXII path of the object in the collection,
  // "/<api-root>/collections/<id>/objects/".
  std::string link_base;
  // The RPZ zone's origin. Default "rpz.kizuna.".
  std::string rpz_origin = "rpz.kizuna.";
  // Skipped indicators listed with their ids (all are counted). Default 1000.
  size_t max_listed = 1000;
  // Limits on each pattern (pattern/limits.h).
  pattern::PatternLimits limits;
  // Called after each page read, with the count of indicators read so far.
  std::function<void(int64_t read)> on_progress;
};

struct SkippedIndicator {
  std::string id;
  std::string reason;  // e.g. "revoked", "on warninglist 'Top 1000 domains'"
};

struct SensorExportSummary {
  int64_t read = 0;            // indicators the principal may see
  int64_t exported = 0;        // indicators with at least one entry written
  int64_t entries = 0;         // entries written (lines, records, rules and list values)
  int64_t duplicate_keys = 0;  // keys already written for an earlier indicator
  int64_t dropped_keys = 0;    // keys of exported indicators the format cannot express
  // Indicators left out, by reason: "revoked", "expired", "not-yet-valid",
  // "not-stix-pattern", "invalid", "not-reducible", "warninglist", "not-in-format".
  std::map<std::string, int64_t> skipped;
  std::map<std::string, int64_t> warninglists;  // keys allowed, by list name
  std::vector<SkippedIndicator> listed;         // up to max_listed
};

struct SensorExport {
  std::vector<ExportFile> files;
  SensorExportSummary summary;
};

// Exports the usable indicators of `collection` released to `principal`. Errors: the
// store's or the policy's (nothing is returned then); unusable indicators are counted, not
// errors. InvalidArgument when options.now_us is 0 or rpz_origin is not a DNS name.
absl::StatusOr<SensorExport> ExportForSensors(store::Store& store, policy::Policy& policy,
                                              const identity::Principal& principal,
                                              const store::Collection& collection,
                                              const SensorExportOptions& options);

}  // namespace kizuna::detect
