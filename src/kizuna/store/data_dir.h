// Kizuna. The files of a data directory, and who may read them.
#pragma once

// A data directory holds TLP:RED intelligence, token hashes, partner tokens and the node's
// keys: only the account that runs the node may read any of it. The directory is 0700 and
// every file Kizuna keeps in it 0600. PrepareDataDir makes them so: it creates the database
// file (empty, 0600) before SQLite opens it, so that SQLite gives its -wal and -shm files the
// same mode, and it takes group and other permissions off the directory and Kizuna's files
// when an older Kizuna, a copy or a hand left them open. It returns what it changed, for the
// command line to tell. Files that are not Kizuna's (a TLS certificate, a log) are left
// alone; the directory's mode keeps other accounts out of them.
//
//   KZ_ASSIGN_OR_RETURN(std::vector<ModeChange> changed, PrepareDataDir(dir, DirAction::kOpen));
//
// Thread-safety: stateless.

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace kizuna::store {

// The files Kizuna keeps in a data directory (docs/formats/store.md).
inline constexpr std::string_view kDatabaseFile = "kizuna.db";
inline constexpr std::string_view kNextTokenKeyFile = "taxii-next-token.key";
inline constexpr std::string_view kPeerTokenKeyFile = "peer-tokens.key";
// The PostgreSQL database of a node whose store is there instead of kDatabaseFile: its URL.
inline constexpr std::string_view kStoreUrlFile = "store.url";

inline constexpr mode_t kDataDirMode = 0700;
inline constexpr mode_t kDataFileMode = 0600;

// A permission taken away: `path` had mode `from` and has `to`.
struct ModeChange {
  std::string path;
  mode_t from = 0, to = 0;
};

enum class DirAction : uint8_t {
  kCreate,           // create the directory and the database file when missing
  kCreateDirectory,  // create the directory only (a node whose store is in PostgreSQL)
  kOpen,             // they must exist (the database file or kStoreUrlFile): NotFound otherwise
};

// Returns `name` in directory `dir`.
std::string DataDirFile(std::string_view dir, std::string_view name);

// Makes `dir` 0700 and Kizuna's files in it 0600 (creating the directory, with its parents,
// and an empty database file for kCreate). Returns the modes it changed; FailedPrecondition
// (naming the directory and saying to run `kizuna init`) for kOpen when there is no database;
// Unavailable, naming the path, when a directory or mode cannot be made.
absl::StatusOr<std::vector<ModeChange>> PrepareDataDir(const std::string& dir, DirAction action);

// Returns the directory and Kizuna files in `dir` whose modes let other accounts in (`to`
// is what PrepareDataDir would set), without changing anything.
absl::StatusOr<std::vector<ModeChange>> LooseModes(const std::string& dir);

// "0644": a mode's permission bits in octal.
std::string ModeText(mode_t mode);

}  // namespace kizuna::store
