// Kizuna.
#include "kizuna/store/open.h"

#include <filesystem>

#include "kizuna/base/file.h"
#include "kizuna/base/redact.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/peer_tokens.h"
#include "kizuna/store/postgres/pg_store.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {
namespace {

constexpr uint64_t kMaxStoreUrlBytes = 4096;

void AddChanges(std::vector<ModeChange> changed, std::vector<ModeChange>* tightened) {
  if (tightened != nullptr) tightened->insert(tightened->end(), changed.begin(), changed.end());
}

absl::StatusOr<std::unique_ptr<Database>> OpenIn(const std::string& dir, const std::string& url,
                                                 Clock& clock) {
  if (url.empty()) {
    KZ_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store,
                        SqliteStore::Open(DataDirFile(dir, kDatabaseFile), clock));
    return std::unique_ptr<Database>(std::move(store));
  }
  PgOptions options;
  options.peer_key_path = DataDirFile(dir, kPeerTokenKeyFile);
  KZ_ASSIGN_OR_RETURN(std::unique_ptr<PgStore> store, PgStore::Open(url, clock, options));
  return std::unique_ptr<Database>(std::move(store));
}

}  // namespace

bool IsPostgresUrl(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

absl::StatusOr<std::string> RecordedStoreUrl(const std::string& dir) {
  const std::string path = DataDirFile(dir, kStoreUrlFile);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::string();
  KZ_ASSIGN_OR_RETURN(std::string text, ReadPrivateFile(path, kMaxStoreUrlBytes));
  std::string url(Trim(text));
  if (!IsPostgresUrl(url)) {
    return absl::InvalidArgumentError(StrCat(path, ": expected a postgresql:// URL"));
  }
  return url;
}

absl::StatusOr<std::unique_ptr<Store>> InitDataDir(const std::string& dir,
                                                   std::string_view api_root, Clock& clock,
                                                   std::vector<ModeChange>* tightened,
                                                   const std::string& store_url) {
  if (!store_url.empty()) {
    if (!IsPostgresUrl(store_url))
      return absl::InvalidArgumentError("--store: expected a postgresql:// URL");
    std::error_code ec;
    if (std::filesystem::exists(DataDirFile(dir, kDatabaseFile), ec)) {
      return absl::FailedPreconditionError(
          StrCat(dir, " holds a SQLite store (", kDatabaseFile,
                 "): copy it with `kizuna store copy --to URL`, then move ", kDatabaseFile,
                 " out of the directory"));
    }
    KZ_ASSIGN_OR_RETURN(std::vector<ModeChange> changed,
                        PrepareDataDir(dir, DirAction::kCreateDirectory));
    AddChanges(std::move(changed), tightened);
    KZ_ASSIGN_OR_RETURN(std::string recorded, RecordedStoreUrl(dir));
    if (!recorded.empty() && recorded != store_url) {
      return absl::FailedPreconditionError(
          StrCat(dir, " already records another store (", kStoreUrlFile, ")"));
    }
    // The node's keys are made with the node, once: a directory without them for a database
    // that already holds a node would make keys of its own, and seal and sign what the node's
    // other processes cannot open.
    const std::string key_file = DataDirFile(dir, kPeerTokenKeyFile);
    std::error_code missing;
    if (!std::filesystem::exists(key_file, missing)) {
      KZ_ASSIGN_OR_RETURN(std::unique_ptr<Database> existing, OpenIn(dir, store_url, clock));
      KZ_ASSIGN_OR_RETURN(std::vector<ApiRoot> roots, existing->ListApiRoots());
      if (!roots.empty()) {
        return absl::FailedPreconditionError(StrCat(
            RedactUrl(store_url), " already holds a node, and ", dir, " has none of its keys (",
            kPeerTokenKeyFile, "): copy the data directory of one of the node's hosts instead"));
      }
    }
    if (recorded.empty()) {
      KZ_RETURN_IF_ERROR(
          CreateFileExclusively(DataDirFile(dir, kStoreUrlFile), StrCat(store_url, "\n")));
    }
    // Made now, so that copies of the directory for the node's other processes hold it.
    KZ_RETURN_IF_ERROR(TokenSealer::LoadOrCreate(key_file).status());
  } else {
    KZ_ASSIGN_OR_RETURN(std::string recorded, RecordedStoreUrl(dir));
    KZ_ASSIGN_OR_RETURN(
        std::vector<ModeChange> changed,
        PrepareDataDir(dir, recorded.empty() ? DirAction::kCreate : DirAction::kOpen));
    AddChanges(std::move(changed), tightened);
  }
  KZ_ASSIGN_OR_RETURN(std::string url, RecordedStoreUrl(dir));
  KZ_ASSIGN_OR_RETURN(std::unique_ptr<Database> store, OpenIn(dir, url, clock));
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
                                                       std::vector<ModeChange>* tightened,
                                                       const std::string& store_url) {
  if (!store_url.empty() && !IsPostgresUrl(store_url)) {
    return absl::InvalidArgumentError("--store: expected a postgresql:// URL");
  }
  // With a URL given, the directory holds the keys only (created when missing).
  KZ_ASSIGN_OR_RETURN(
      std::vector<ModeChange> changed,
      PrepareDataDir(dir, store_url.empty() ? DirAction::kOpen : DirAction::kCreateDirectory));
  AddChanges(std::move(changed), tightened);
  std::string url = store_url;
  if (url.empty()) {
    KZ_ASSIGN_OR_RETURN(url, RecordedStoreUrl(dir));
  }
  return OpenIn(dir, url, clock);
}

}  // namespace kizuna::store
