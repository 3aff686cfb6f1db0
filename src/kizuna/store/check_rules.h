// Kizuna. The store's invariants that `kizuna check` verifies, over rows any database yields:
// the version flags of entries, one content per marking definition, sealed peer tokens, file
// modes; not for other modules. The SQLite and PostgreSQL steps read the rows and call these.
#pragma once

// Thread-safety: each object belongs to one thread, as the CheckRun it reports to.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/store/check_run.h"
#include "kizuna/store/peer_tokens.h"

namespace kizuna::store {

// The version flags of an entry as one number: is_first, is_last, is_top_spec in bits 0 to 2.
inline constexpr int kFlagFirst = 1, kFlagLast = 2, kFlagTopSpec = 4;
// An object's only entry in a collection is its first, last and top spec version.
inline constexpr int kOnlyVersion = kFlagFirst | kFlagLast | kFlagTopSpec;

inline int EntryFlags(bool first, bool last, bool top_spec) {
  return (first ? kFlagFirst : 0) | (last ? kFlagLast : 0) | (top_spec ? kFlagTopSpec : 0);
}

// What the flags of an entry are computed from, and the flags it has.
struct VersionRow {
  int64_t collection;
  std::string stix_id;
  int64_t spec_version, version_ns, date_added_us;
  int flags;
};

// Reports an entry whose flags are `has` where its versions call for `wants`.
void ReportFlags(CheckRun& c, CheckStep& step, int64_t date_added_us, std::string_view id, int has,
                 int wants);

// Compares the flags of `rows` with those their versions call for: per collection and object
// id, first and last within each spec version, and the highest spec version held. REQUIRES:
// `rows` holds every entry of each (collection, object id) it holds any of. Sorts `rows`.
void CompareVersions(CheckRun& c, CheckStep& step, std::vector<VersionRow>& rows);

// "marking-definitions": fed the stored marking definitions ordered by id (then Finish), reports an
// id stored with different contents (compared as canonical JSON, RFC 8785): definitions are never
// versioned (STIX 2.1 §7.2), so all but one are forged or damaged.
class DefinitionCheck {
 public:
  DefinitionCheck(CheckRun& c, CheckStep& step) : c_(c), step_(step) {}
  DefinitionCheck(const DefinitionCheck&) = delete;
  DefinitionCheck& operator=(const DefinitionCheck&) = delete;

  // One stored definition: its entry, the collection it is in, its JSON.
  void Add(std::string_view id, int64_t date_added_us, std::string_view collection,
           std::string_view json);
  // Compares the definitions of the id added last: call it after the last Add.
  void Finish();

 private:
  struct Definition {
    int64_t date_added_us;
    std::string collection;
    std::string canonical;
  };
  CheckRun& c_;
  CheckStep& step_;
  std::string id_;
  std::vector<Definition> same_id_;
};

// "peer-tokens": fed each peer, reports a token stored in clear, a peer without one, and a
// sealed token that does not open with the key in `key_path` (loaded when first needed).
class PeerTokenCheck {
 public:
  PeerTokenCheck(CheckRun& c, CheckStep& step, std::string key_path)
      : c_(c), step_(step), key_path_(std::move(key_path)) {}

  void Peer(std::string_view name, std::string_view clear_token, std::string_view sealed_token);

 private:
  CheckRun& c_;
  CheckStep& step_;
  const std::string key_path_;
  std::optional<absl::StatusOr<TokenSealer>> sealer_;
  bool key_reported_ = false;
};

// "modes": the data directory is 0700 and Kizuna's files in it 0600.
CheckStep CheckModes(const std::string& dir, size_t keep);

}  // namespace kizuna::store
