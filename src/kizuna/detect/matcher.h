// Kizuna. Matching telemetry records against a compiled Snapshot.
#pragma once

// BatchMatcher answers, for every record of a batch, which indicators of a Snapshot match
// it. Simple indicators are found by probing the lookup tables with the record's values
// (observable.h says which value goes to which slot); the batch's probes are hashed and
// prefetched first and executed after, so cold lookups overlap their DRAM latency instead
// of paying it one after another. Indicators the evaluator decides are run through the
// snapshot's PatternSet on the record's observation (observation_builder.h), built only
// for records whose object types one of those patterns starts from.
//
//   BatchMatcher matcher;                         // one per thread
//   std::vector<Match> matches;
//   KZ_RETURN_IF_ERROR(matcher.MatchBatch(*snapshot, batch, matches));
//
// Patterns needing several observations are not decided here: FindCorrelationEvents picks
// out the records that could take part in one (correlation_set.h), for the correlator.
//
// EvaluateBatch gives the reference answer, every indicator through the evaluator;
// the differential tests require both to agree.
//
// Thread-safety: a BatchMatcher belongs to one thread; the Snapshot may be shared.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "kizuna/detect/correlation_set.h"
#include "kizuna/detect/correlator.h"
#include "kizuna/detect/observation_builder.h"
#include "kizuna/detect/record.h"
#include "kizuna/detect/snapshot.h"
#include "kizuna/pattern/pattern_set.h"

namespace kizuna::detect {

// A record that may take part in a correlation, and the patterns it concerns.
struct CorrelationCandidate {
  std::shared_ptr<CorrelationEvent> event;
  std::vector<uint32_t> patterns;  // indexes in the snapshot's PatternSet
};

struct Match {
  uint32_t record = 0;     // index in the batch
  uint32_t indicator = 0;  // index in the snapshot
  bool evaluated = false;  // found by the evaluator; then slot, field and value are unset
  Slot slot = Slot::kIpv4;  // the kind of value that matched
  uint16_t field = 0;      // the field it came from (Record::field_names)
  std::string_view value;  // the value (views the batch, or the matcher until its next call)
  friend bool operator==(const Match& a, const Match& b) {
    return a.record == b.record && a.indicator == b.indicator;
  }
};

class BatchMatcher {
 public:
  // Appends to `out`, ordered by record then indicator, one Match per (record, indicator)
  // that matches. Errors: the first evaluator error (a pattern hitting its limits); the
  // other matches are still appended.
  absl::Status MatchBatch(const Snapshot& snapshot, const RecordBatch& batch,
                          std::vector<Match>& out);

  // Appends, in record order, a candidate for each record of `batch` that satisfies a
  // bracket of a multi-observation pattern of `snapshot`, with copies of the record for an
  // alert. Such a record without an event time cannot be placed in a pattern's time window:
  // it is no candidate, and its index in the batch is appended to `untimed` instead.
  // Errors: the first evaluator error; the other records are still tried.
  absl::Status FindCorrelationEvents(const Snapshot& snapshot, const RecordBatch& batch,
                                     std::vector<CorrelationCandidate>& out,
                                     std::vector<uint32_t>& untimed);

  // The reference: every indicator's pattern through the evaluator. `patterns` holds the
  // pattern of each indicator (by index) as a PatternSet built in that order.
  absl::Status EvaluateBatch(const pattern::PatternSet& patterns, const RecordBatch& batch,
                                  std::vector<Match>& out);

  // Records whose observation was built for the evaluator, since construction.
  uint64_t observations_built() const { return observations_built_; }

 private:
  enum class ProbeKind : uint8_t { kString, kSuffix, kIpv4, kBlock, kNetDstV4 };
  // 64 bytes: a batch writes and reads a few thousand of these.
  struct Probe {
    uint64_t hash;  // kString, kSuffix, kIpv4, kNetDstV4
    std::string_view value;  // kString, kSuffix: the key; others: the value reported
    std::string_view whole;  // kSuffix: the domain the suffix is of (reported)
    uint64_t word;  // kIpv4: address; kNetDstV4: address << 32 | port
    uint32_t record;
    uint32_t block;  // kBlock: index into blocks_
    uint16_t field;
    Slot slot;      // reported slot
    ProbeKind kind;
  };

  void AddProbes(const Snapshot& s, const RecordBatch& batch, uint32_t index);
  // Returns whether `value` is a canonical IPv4 address, and then sets `v4` to it (parsed
  // once, so the destination's address-and-port probe reuses it). Not a std::optional:
  // returned through memory, its flag byte and value word stalled the load that read them.
  bool AddIp(const Snapshot& s, std::string_view value, uint32_t record, uint16_t field,
             uint32_t& v4);
  // A new probe at the end of probes_, zeroed: built in place, since a Probe built on the
  // stack and copied stalled each 16-byte load of the copy on the smaller stores before it.
  Probe& NewProbe(ProbeKind kind, Slot slot, uint32_t record, uint16_t field) {
    Probe& p = probes_.emplace_back();
    p.kind = kind;
    p.slot = slot;
    p.record = record;
    p.field = field;
    return p;
  }
  void AddDomain(const Snapshot& s, std::string_view value, uint32_t record, uint16_t field);
  void AddString(const Snapshot& s, Slot slot, std::string_view value, uint32_t record,
                 uint16_t field);
  void RunProbe(const Snapshot& s, const Probe& p, std::vector<Match>& out);
  void Emit(const Snapshot& s, const Probe& p, Payload payload, std::vector<Match>& out);

  std::vector<Probe> probes_;
  std::vector<IpBlock> blocks_;  // of kBlock probes (rare: blocks and IPv6 addresses)
  detect_internal::TextPool text_;
  std::string scratch_;
  ObservationBuilder builder_;
  pattern::Observation observation_;
  pattern::PatternSet::Scratch pattern_scratch_;
  CorrelationSet::Scratch correlation_scratch_;
  std::vector<uint32_t> concerned_;
  std::vector<size_t> matched_;
  uint64_t observations_built_ = 0;
};

}  // namespace kizuna::detect
