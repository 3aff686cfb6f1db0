// Kizuna. What an object carries, for the search index: its observable values, the literals
// of its STIX pattern, its external ids, the objects it refers to and its text.
#pragma once

// Extractor is the store's EntryIndexer (store/search_index.h): the store calls it for every
// entry it writes or deletes. For an object it gives:
//   - cyber-observables (and the SCOs inside a STIX 2.0 observed-data's `objects`): every
//     string property (nested ones and extensions too) at its object path
//     (`ipv4-addr:value`, `file:hashes.'SHA-256'`, `file:name`), and an autonomous system's
//     number; an address block also as a range;
//   - indicators with a STIX pattern: the literal of every comparison that names values
//     (=, IN, ISSUBSET; not negated), at the comparison's object path; blocks also as ranges;
//   - every object: its external references' external_id (T1566, CVE-2021-44228), and the
//     ids it refers to (source_ref, target_ref, sighting_of_ref, observed_data_refs,
//     object_refs, sample_refs), so a relationship or a sighting is found from what it links;
//   - full text: names (name, aliases, x_mitre_aliases) and other text (description,
//     labels, goals, objective, abstract, content, explanation, kill-chain phase names, the
//     descriptions of external references).
// Values are normalised (normalize.h). Limits: store::kMaxIndexedValues values per object,
// values and paths over their byte limits are left out, text is cut at kMaxIndexedTextBytes.
//
// Thread-safety: const and safe to share; each thread parses with its own parser.

#include <cstdint>
#include <string_view>

#include "kizuna/store/search_index.h"

namespace kizuna::search {

// The extractor's version: change it whenever Extract gives another output for any object;
// stores indexed by another version need `kizuna index rebuild`. Migration 014 marks an
// empty store as indexed by version 1.
inline constexpr int64_t kExtractorVersion = 1;

class Extractor : public store::EntryIndexer {
 public:
  // Malformed JSON gives an empty index (the store holds only valid objects).
  void Extract(std::string_view type, std::string_view json, store::EntryIndex& out) const override;
  int64_t Version() const override { return kExtractorVersion; }
};

}  // namespace kizuna::search
