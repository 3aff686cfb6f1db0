// Kizuna. The ATT&CK ids a scenario may name: techniques and groups, from STIX ATT&CK data.
#pragma once

// A scenario names techniques (T0865, T1071.004) and groups (G1001) by their ATT&CK ids. The
// catalog collects the `attack-pattern` and `intrusion-set` objects of ATT&CK STIX data (a
// bundle file, or the objects held in the node's store, read through the released read as the
// operator) by their `external_references` entry whose source is MITRE ATT&CK, and
// CheckAttackIds names every id of a scenario the data does not hold (or holds only revoked
// or deprecated), with its file and line.
//
//   KZ_ASSIGN_OR_RETURN(AttackCatalog catalog, AttackCatalog::FromBundle(text, "ics-attack.json"));
//   KZ_RETURN_IF_ERROR(CheckAttackIds(scenario, catalog));
//
// Thread-safety: a built catalog is read-only and may be shared.

#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "kizuna/exercise/scenario.h"

namespace kizuna::store {
class Store;
}
namespace kizuna::policy {
class Policy;
}

namespace kizuna::exercise {

// Largest ATT&CK bundle read, in bytes.
inline constexpr uint64_t kMaxAttackBundleBytes = uint64_t{512} << 20;

struct AttackEntry {
  std::string stix_id;
  std::string type;  // attack-pattern or intrusion-set
  std::string name;
  bool revoked = false;
  bool deprecated = false;
};

class AttackCatalog {
 public:
  // Reads the objects of a STIX bundle (or a JSON array of objects) `text` from `origin`.
  // Returns InvalidArgument naming `origin` when it is not JSON or holds no objects list.
  static absl::StatusOr<AttackCatalog> FromBundle(std::string_view text, std::string_view origin);
  // Reads the ATT&CK objects of every collection of `store` released to the operator through
  // `policy` (policy::ReleasedReader). Errors: the store's or the policy's.
  static absl::StatusOr<AttackCatalog> FromStore(store::Store& store, policy::Policy& policy);

  // Adds one STIX object's JSON text; other objects and those without an ATT&CK id are
  // skipped. Returns InvalidArgument when `json` is not a JSON object.
  absl::Status AddObject(std::string_view json);

  // The entry of ATT&CK id `external_id` (exact, e.g. "T0865"), or null.
  const AttackEntry* Find(std::string_view external_id) const;
  size_t size() const { return entries_.size(); }

 private:
  absl::flat_hash_map<std::string, AttackEntry> entries_;
};

// Returns OK when every step's technique and every actor's group is in `catalog`, active;
// else InvalidArgument listing each unknown, revoked or deprecated id with its file:line.
absl::Status CheckAttackIds(const Scenario& scenario, const AttackCatalog& catalog);

}  // namespace kizuna::exercise
