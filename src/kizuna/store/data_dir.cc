// Kizuna.
#include "kizuna/store/data_dir.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::store {
namespace {

// Group and other permissions.
constexpr mode_t kOthers = 077;

// Kizuna's files in a data directory: the database with SQLite's files beside it, and keys.
constexpr std::string_view kKizunaFiles[] = {
    kDatabaseFile,     "kizuna.db-wal",   "kizuna.db-shm", "kizuna.db-journal",
    kNextTokenKeyFile, kPeerTokenKeyFile, kStoreUrlFile,
};

// Adds `path` to `out` when it exists and lets other accounts in.
absl::Status AddIfLoose(const std::string& path, std::vector<ModeChange>& out) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return absl::UnavailableError(
        StrCat("cannot read the mode of ", path, ": ", std::strerror(errno)));
  }
  mode_t mode = st.st_mode & 07777;
  if ((mode & kOthers) != 0) out.push_back({path, mode, static_cast<mode_t>(mode & ~kOthers)});
  return absl::OkStatus();
}

absl::Status CreateDir(const std::string& dir, bool database_file) {
  std::filesystem::path path(dir);
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  if (!ec && ::mkdir(dir.c_str(), kDataDirMode) != 0 && errno != EEXIST) {
    ec = std::error_code(errno, std::generic_category());
  }
  if (ec)
    return absl::UnavailableError(StrCat("cannot create data directory ", dir, ": ", ec.message()));
  if (!database_file) return absl::OkStatus();
  absl::Status created = CreateFileExclusively(DataDirFile(dir, kDatabaseFile), "");
  if (created.code() == absl::StatusCode::kAlreadyExists) return absl::OkStatus();
  if (!created.ok()) return Annotate(created, "cannot create the database: ");
  return absl::OkStatus();
}

}  // namespace

std::string DataDirFile(std::string_view dir, std::string_view name) {
  return (std::filesystem::path(dir) / name).string();
}

std::string ModeText(mode_t mode) { return fmt::format("{:04o}", mode & 07777); }

absl::StatusOr<std::vector<ModeChange>> LooseModes(const std::string& dir) {
  std::vector<ModeChange> loose;
  KZ_RETURN_IF_ERROR(AddIfLoose(dir, loose));
  for (std::string_view name : kKizunaFiles)
    KZ_RETURN_IF_ERROR(AddIfLoose(DataDirFile(dir, name), loose));
  return loose;
}

absl::StatusOr<std::vector<ModeChange>> PrepareDataDir(const std::string& dir, DirAction action) {
  if (action != DirAction::kOpen) {
    KZ_RETURN_IF_ERROR(CreateDir(dir, action == DirAction::kCreate));
  } else if (!std::filesystem::exists(DataDirFile(dir, kDatabaseFile)) &&
             !std::filesystem::exists(DataDirFile(dir, kStoreUrlFile))) {
    return absl::FailedPreconditionError(
        StrCat("no Kizuna data in ", dir, " (run `kizuna init`, or pass --data-dir)"));
  }
  KZ_ASSIGN_OR_RETURN(std::vector<ModeChange> changes, LooseModes(dir));
  for (const ModeChange& c : changes) {
    if (::chmod(c.path.c_str(), c.to) != 0) {
      return absl::UnavailableError(StrCat("cannot make ", c.path, " ", ModeText(c.to), " (it is ",
                                           ModeText(c.from),
                                           ", open to other accounts): ", std::strerror(errno)));
    }
  }
  return changes;
}

}  // namespace kizuna::store
