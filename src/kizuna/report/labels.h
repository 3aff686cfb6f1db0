// Kizuna. What a brief says about an object's markings: its TLP and its releasability.
#pragma once

// The figures "by TLP" and "by releasability" and the banner read an entry's object markings
// (store::StoredObject::markings without its granular refs): the highest TLP level among
// them, and the nations and communities of its releasability markings, written "REL TO JPN,
// USA, jpn-usa" (sorted). Marking definitions other than the predefined TLP ones are read
// from the store once each (Store::FindMarkingDefinition, the node's first definition).
// Thread-safety: a MarkingLabels belongs to one thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "kizuna/policy/tlp.h"
#include "kizuna/store/store.h"

namespace kizuna::report {

// How the brief ranks TLP: 0 none, then CLEAR 1 .. RED 5 (TlpRank(level) = level + 1).
inline constexpr int kNoTlp = 0;
inline int TlpRank(policy::TlpLevel level) { return static_cast<int>(level) + 1; }
// "TLP:CLEAR" .. "TLP:RED"; "" for kNoTlp.
std::string TlpLabel(int rank);

struct MarkingLabel {
  int tlp = kNoTlp;     // highest TLP rank among the markings
  std::string release;  // "REL TO ..." or "" when no marking restricts releasability
};

class MarkingLabels {
 public:
  // `store` must outlive this.
  explicit MarkingLabels(store::Store& store) : store_(store) {}

  // Returns the label of the object markings in `markings` (space-separated ids) whose last
  // `granular_refs` ids are granular and ignored. Errors: the store's.
  absl::StatusOr<MarkingLabel> Of(std::string_view markings, uint32_t granular_refs = 0);

 private:
  store::Store& store_;
  absl::flat_hash_map<std::string, MarkingLabel> by_id_;
};

}  // namespace kizuna::report
