// Kizuna. Allowlists kept on the node: copies of warninglists in the data directory.
#pragma once

// `kizuna allowlist add` copies MISP warninglists (list.json) and plain lists (.txt) into
// <data-dir>/allowlists/, where `kizuna match` finds them by default. Each stored list is
// one file named after the list: a MISP list by its folder's name (misp-warninglists keeps
// each in lists/<name>/list.json), stored as <name>.json; a plain list by its file name
// without .txt, stored as <name>.txt. Files are written atomically (temporary file, fsync,
// rename; 0600), so a stored list is there whole or not at all; adding a list of the same
// name replaces it.
//
// Categories: a MISP list's "category" field (newer warninglists: "false-positive",
// "known") and its "type" (cidr, hostname, string, substring, regex) both count as its
// categories; plain lists have the category "plain". Add takes an optional set of
// categories, and loading follows Allowlist::categories: a list none of whose categories is
// in the set is left out.
//
//   AllowlistStore lists(data_dir + "/allowlists");
//   KZ_ASSIGN_OR_RETURN(std::vector<StoredAllowlist> added, lists.Add("lists/", {}));
//   allowlist.categories = {"cidr"};
//   KZ_RETURN_IF_ERROR(lists.LoadInto(allowlist).status());
//
// Limits: each list file at most kMaxAllowlistFileBytes; names of at most 128 bytes of
// [A-Za-z0-9._-] (others are refused).
//
// Thread-safety: one process at a time may change the folder; reads are safe concurrently
// with each other.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/detect/allowlist.h"

namespace kizuna::detect {

inline constexpr uint64_t kMaxAllowlistFileBytes = 256ull * 1024 * 1024;
inline constexpr size_t kMaxAllowlistNameBytes = 128;

struct StoredAllowlist {
  std::string name;      // the stored name (the file name without extension)
  std::string title;     // a MISP list's "name"; the name for plain lists
  std::string type;      // cidr, hostname, string, substring, regex; "plain"
  std::string category;  // a MISP list's "category", or empty
  int64_t entries = 0;   // values listed
};

class AllowlistStore {
 public:
  explicit AllowlistStore(std::string dir) : dir_(std::move(dir)) {}

  // Stores every list found at `path` (a list.json, a .txt list, or a folder searched
  // recursively for both) whose categories meet `categories` (empty: all). Returns those
  // stored. Errors name the file: NotFound, InvalidArgument (malformed list, bad name;
  // nothing is stored then), Internal (writing).
  absl::StatusOr<std::vector<StoredAllowlist>> Add(const std::string& path,
                                                   const std::vector<std::string>& categories);
  // The stored lists, by name. An absent folder holds none.
  absl::StatusOr<std::vector<StoredAllowlist>> List() const;
  // Removes list `name`; NotFound when there is none.
  absl::Status Remove(const std::string& name);
  // Loads the stored lists meeting allowlist.categories into `allowlist`; returns how many.
  absl::StatusOr<int64_t> LoadInto(Allowlist& allowlist) const;

 private:
  std::string dir_;
};

// Describes a list file's text (MISP JSON when `misp`): InvalidArgument naming `origin`.
absl::StatusOr<StoredAllowlist> DescribeAllowlist(std::string_view text, bool misp,
                                                  std::string_view origin);

// True when `list` has a category in `categories`, or `categories` is empty.
bool InCategories(const StoredAllowlist& list, const std::vector<std::string>& categories);

}  // namespace kizuna::detect
