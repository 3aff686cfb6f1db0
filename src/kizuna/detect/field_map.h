// Kizuna. Field maps: which telemetry field fills which STIX observable path.
#pragma once

// A FieldMap assigns a Role (observable.h) to fields of each log type: Zeek's dns log's
// `query` is a domain-name:value, EVE's `dest_ip` a network-traffic:dst_ref.value. Field
// names are Zeek's (`id.resp_h`) and, for JSON, the dotted path of the value with array
// levels dropped (EVE `dns.answers[].rdata` is "dns.answers.rdata"). Entries for log type
// "*" apply to every log type that does not name the field itself.
//
// Built-in maps: ZeekFieldMap() (conn, dns, http, ssl, x509, files, smtp, notice, weird,
// known_*, software, ... through the "*" entries for the id.* fields) and EveFieldMap()
// (alert, dns, http, tls, flow, fileinfo, smtp).
//
// A user-written map (docs/formats/field-map.md) is a text file, one entry a line:
//
//   # log-type  field  path
//   proxy       client_ip     network-traffic:src_ref.value
//   proxy       url           url:value
//   *           timestamp     time
//
// where path is a RolePath (observable.h): time, host, ipv4-addr:value, domain-name:value,
// url:value, file:hashes.'SHA-256', ...
//
// Thread-safety: immutable after construction; concurrent lookups are safe.

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "kizuna/detect/observable.h"

namespace kizuna::detect {

class FieldMap {
 public:
  // Adds or replaces an entry.
  void Add(std::string_view log_type, std::string_view field, Role role);
  // Returns the role of `field` in `log_type`, else of field in "*", else Role::kNone.
  Role Find(std::string_view log_type, std::string_view field) const;
  // Returns every field with an entry for `log_type` or for "*", each once, in no set order.
  std::vector<std::string> Fields(std::string_view log_type) const;
  // Parses a user-written map (see above) and adds its entries. InvalidArgument naming
  // `origin`:line for a line without three columns or with an unknown path.
  absl::Status Parse(std::string_view text, std::string_view origin);
  bool empty() const { return roles_.empty(); }

 private:
  absl::flat_hash_map<std::string, Role> roles_;  // "log_type\tfield" -> role
};

// The built-in maps (see above).
const FieldMap& ZeekFieldMap();
const FieldMap& EveFieldMap();

}  // namespace kizuna::detect
