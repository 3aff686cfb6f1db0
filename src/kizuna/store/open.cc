// Kizuna.
#include "kizuna/store/open.h"

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {
namespace {

absl::StatusOr<std::unique_ptr<SqliteStore>> Prepare(const std::string& dir, DirAction action,
                                                     Clock& clock, std::vector<ModeChange>* tightened) {
  KZ_ASSIGN_OR_RETURN(std::vector<ModeChange> changed, PrepareDataDir(dir, action));
  if (tightened != nullptr) tightened->insert(tightened->end(), changed.begin(), changed.end());
  return SqliteStore::Open(DataDirFile(dir, kDatabaseFile), clock);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> InitDataDir(const std::string& dir, std::string_view api_root,
                                                   Clock& clock, std::vector<ModeChange>* tightened) {
  KZ_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, Prepare(dir, DirAction::kCreate, clock, tightened));
  KZ_ASSIGN_OR_RETURN(std::vector<ApiRoot> roots, store->ListApiRoots());
  if (roots.empty()) {
    KZ_RETURN_IF_ERROR(store->CreateApiRoot({std::string(api_root), "Kizuna intelligence",
                                             "Threat intelligence shared by this node", 0}));
  }
  return std::unique_ptr<Store>(std::move(store));
}

absl::StatusOr<std::unique_ptr<Store>> OpenDataDir(const std::string& dir, Clock& clock,
                                                   std::vector<ModeChange>* tightened) {
  KZ_ASSIGN_OR_RETURN(std::unique_ptr<Database> db, OpenDatabase(dir, clock, tightened));
  return std::unique_ptr<Store>(std::move(db));
}

absl::StatusOr<std::unique_ptr<Database>> OpenDatabase(const std::string& dir, Clock& clock,
                                                       std::vector<ModeChange>* tightened) {
  KZ_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, Prepare(dir, DirAction::kOpen, clock, tightened));
  return std::unique_ptr<Database>(std::move(store));
}

}  // namespace kizuna::store
