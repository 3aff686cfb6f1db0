// Kizuna. Opening the store of a data directory.
#pragma once

// A data directory holds the node's state: `kizuna.db` (the SQLite store), and the keys the
// server and the store add (data_dir.h). InitDataDir creates it; OpenDataDir opens it. Both
// first make the directory 0700 and Kizuna's files in it 0600 (PrepareDataDir), and add what
// they had to change to `tightened` when it is not null, for the caller to tell.
// A node whose store is a PostgreSQL database (several `kizuna serve` processes on one
// database, docs/deploy.md) keeps its URL in the data directory instead (kStoreUrlFile,
// written by InitDataDir given a URL) beside the same keys, which every process of the node
// must share: every command run on that directory then works on the database.
// Thread-safety: stateless.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/base/clock.h"
#include "kizuna/store/data_dir.h"
#include "kizuna/store/database.h"
#include "kizuna/store/store.h"

namespace kizuna::store {

// The API root `kizuna init` creates unless told otherwise.
inline constexpr std::string_view kDefaultApiRoot = "intel";

// Creates `dir` (and parents) if needed and the store in it, with the API root `api_root`
// when no API root exists yet. Idempotent. Returns the open store. With a `store_url`
// (postgresql://...), the store is that database and the directory records its URL;
// FailedPrecondition when the directory already holds a SQLite store or another URL.
absl::StatusOr<std::unique_ptr<Store>> InitDataDir(const std::string& dir,
                                                   std::string_view api_root, Clock& clock,
                                                   std::vector<ModeChange>* tightened = nullptr,
                                                   const std::string& store_url = "");

// Opens the store of an initialised data directory. Returns FailedPrecondition naming the
// directory (and saying to run `kizuna init`) when there is none.
absl::StatusOr<std::unique_ptr<Store>> OpenDataDir(const std::string& dir, Clock& clock,
                                                   std::vector<ModeChange>* tightened = nullptr);

// Opens the database of an initialised data directory as both the object Store and the
// identity Directory (one database, one writer): what the server and `kizuna admin` use.
// Same errors as OpenDataDir. The store is the PostgreSQL database of `store_url` when given
// (`kizuna serve --store`), else the one the directory records, else its SQLite file.
absl::StatusOr<std::unique_ptr<Database>> OpenDatabase(const std::string& dir, Clock& clock,
                                                       std::vector<ModeChange>* tightened = nullptr,
                                                       const std::string& store_url = "");

// The PostgreSQL URL the data directory records ("" when its store is SQLite).
// InvalidArgument, naming the file, when it holds something else.
absl::StatusOr<std::string> RecordedStoreUrl(const std::string& dir);

// Whether `url` names a PostgreSQL database (postgresql:// or postgres://).
bool IsPostgresUrl(std::string_view url);

}  // namespace kizuna::store
