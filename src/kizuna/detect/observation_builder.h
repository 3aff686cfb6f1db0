// Kizuna. A telemetry record as a STIX observation, for the pattern evaluator.
#pragma once

// The evaluator (pattern/) matches observations; ObservationBuilder makes one from a
// record's role-tagged values:
//
//   network-traffic  when any connection or HTTP role is present: src_ref / dst_ref (the
//                    first source and destination address), src_port / dst_port (the first
//                    that parse, observable.h ParsePort), protocols (every kProto value,
//                    lower-cased), extensions.'http-request-ext' {request_method,
//                    request_value, request_header {Host, User-Agent}} from the first values;
//   ipv4-addr / ipv6-addr  one per address value (src, dst, kIp, kHost and Host headers
//                    that are addresses), by IpKind / HostKindOf;
//   domain-name      one per kDomain value, kHost and Host-header value that is a name;
//   url              one per kUrl value, else one composed from Host and target (ComposeUrl);
//   email-addr       one per kEmail value (EmailAddressOf);
//   file             name and hashes from the first value of each file role; further values
//                    each in a file of their own;
//   x509-certificate hashes and serial_number likewise.
//
// The lookup path (matcher.cc) probes exactly these values, which is what makes the two
// paths agree. Observation ids are "observed-data--<log>-<line>"; the time is the record's.
//
// Thread-safety: one builder per thread.

#include <cstdint>
#include <string>

#include "kizuna/detect/record.h"
#include "kizuna/pattern/observation.h"

namespace kizuna::detect {

// Returns `time_us` (microseconds since the epoch) as an observation time.
stix::Timestamp EventTimestamp(int64_t time_us);

class ObservationBuilder {
 public:
  // Replaces `obs` with the observation of `record`. Returns false if it overflowed the
  // observation's limits (it is then incomplete and must not be evaluated).
  bool Build(const RecordBatch& batch, const Record& record, pattern::Observation& obs);

  // Returns a superset of the Observation::TypeBit of the SCO types Build would add,
  // without building: records that cannot concern any evaluator pattern are skipped.
  static uint64_t TypeMask(const RecordBatch& batch, const Record& record);

 private:
  std::string text_;
};

}  // namespace kizuna::detect
