// Kizuna.
#include "kizuna/store/open.h"

#include <filesystem>
#include <system_error>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {
namespace {

std::string DatabasePath(const std::string& dir) { return (std::filesystem::path(dir) / "kizuna.db").string(); }

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> InitDataDir(const std::string& dir, std::string_view api_root,
                                                   Clock& clock) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::UnavailableError(StrCat("cannot create data directory ", dir, ": ", ec.message()));
  KZ_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(DatabasePath(dir), clock));
  KZ_ASSIGN_OR_RETURN(std::vector<ApiRoot> roots, store->ListApiRoots());
  if (roots.empty()) {
    KZ_RETURN_IF_ERROR(store->CreateApiRoot({std::string(api_root), "Kizuna intelligence",
                                             "Threat intelligence shared by this node", 0}));
  }
  return std::unique_ptr<Store>(std::move(store));
}

absl::StatusOr<std::unique_ptr<Store>> OpenDataDir(const std::string& dir, Clock& clock) {
  KZ_ASSIGN_OR_RETURN(std::unique_ptr<Database> db, OpenDatabase(dir, clock));
  return std::unique_ptr<Store>(std::move(db));
}

absl::StatusOr<std::unique_ptr<Database>> OpenDatabase(const std::string& dir, Clock& clock) {
  std::string db = DatabasePath(dir);
  if (!std::filesystem::exists(db)) {
    return absl::FailedPreconditionError(
        StrCat("no Kizuna data in ", dir, " (run `kizuna init`, or pass --data-dir)"));
  }
  KZ_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(db, clock));
  return std::unique_ptr<Database>(std::move(store));
}

}  // namespace kizuna::store
