// Kizuna.
#include "kizuna/base/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna {
namespace {

// Closes a file descriptor when it goes out of scope.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ~ScopedFd() {
    if (fd_ > 2) ::close(fd_);
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

absl::StatusOr<std::string> ReadAll(int fd, std::string_view path, uint64_t max_bytes) {
  std::string data;
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    if (static_cast<uint64_t>(st.st_size) > max_bytes) {
      return absl::ResourceExhaustedError(
          StrCat(path, ": file is ", st.st_size, " bytes, more than the limit of ", max_bytes));
    }
    data.reserve(st.st_size);
  }
  char chunk[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      return FileError(path, errno);
    }
    if (n == 0) break;
    if (data.size() + n > max_bytes) {
      return absl::ResourceExhaustedError(
          StrCat(path, ": input is more than the limit of ", max_bytes, " bytes"));
    }
    data.append(chunk, n);
  }
  return data;
}

// OK when `st` is this user's (or root's) and gives its group and others no access; the
// error CheckPrivateFile returns.
absl::Status CheckPrivateMode(std::string_view path, const struct stat& st) {
  if (st.st_uid != ::geteuid() && st.st_uid != 0) {
    return absl::FailedPreconditionError(StrCat(path, " belongs to user ", st.st_uid,
                                                ": a file holding a secret must be this user's (uid ",
                                                ::geteuid(), ") or root's"));
  }
  constexpr mode_t kGroupAndOthers = 077;
  if ((st.st_mode & kGroupAndOthers) == 0) return absl::OkStatus();
  const unsigned mode = st.st_mode & 0777;
  return absl::FailedPreconditionError(StrCat(path, " has mode 0", (mode >> 6) & 7, (mode >> 3) & 7, mode & 7,
                                              ": a file holding a secret must be readable by its owner only (chmod 600 ",
                                              path, ")"));
}

// Writes `data` to a new or truncated file at `path` (0600) and flushes it to disk.
absl::Status WriteSynced(const std::string& path, std::string_view data) {
  ScopedFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (fd.get() < 0) return FileError(path, errno);
  if (::fchmod(fd.get(), 0600) != 0) return FileError(path, errno);  // a file left by a crash
  size_t written = 0;
  while (written < data.size()) {
    ssize_t n = ::write(fd.get(), data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return FileError(path, errno);
    }
    written += n;
  }
  if (::fsync(fd.get()) != 0) return FileError(path, errno);
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckPrivateFile(std::string_view path) {
  struct stat st;
  if (::stat(std::string(path).c_str(), &st) != 0) return FileError(path, errno);
  return CheckPrivateMode(path, st);
}

absl::StatusOr<std::string> ReadPrivateFile(std::string_view path, uint64_t max_bytes) {
  ScopedFd fd(::open(std::string(path).c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return FileError(path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return FileError(path, errno);
  if (absl::Status s = CheckPrivateMode(path, st); !s.ok()) return s;
  return ReadAll(fd.get(), path, max_bytes);
}

absl::Status FileError(std::string_view path, int err) {
  std::string message = StrCat(path, ": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(message);
  if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(message);
  return absl::InvalidArgumentError(message);
}

bool IsGzip(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

absl::StatusOr<std::string> Gunzip(std::string_view data, uint64_t max_bytes) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return absl::InternalError("zlib init failed");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
  std::string out;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  char chunk[1 << 16];
  for (;;) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof chunk;
    int rc = inflate(&zs, Z_NO_FLUSH);
    size_t produced = sizeof chunk - zs.avail_out;
    if (out.size() + produced > max_bytes) {
      return absl::ResourceExhaustedError(
          StrCat("decompressed data is more than the limit of ", max_bytes, " bytes"));
    }
    out.append(chunk, produced);
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      // Concatenated gzip members: start the next one.
      if (inflateReset(&zs) != Z_OK) return absl::InvalidArgumentError("corrupt gzip data");
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      return absl::InvalidArgumentError(
          StrCat("truncated gzip data after ", out.size(), " decompressed bytes"));
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return absl::InvalidArgumentError(StrCat(
          "corrupt gzip data after ", out.size(), " decompressed bytes: ", zs.msg ? zs.msg : "?"));
    }
  }
  return out;
}

absl::StatusOr<simdjson::padded_string> ReadFile(std::string_view path, uint64_t max_bytes) {
  int raw_fd = 0;  // standard input
  if (path != "-") {
    raw_fd = ::open(std::string(path).c_str(), O_RDONLY | O_CLOEXEC);
    if (raw_fd < 0) return FileError(path, errno);
  }
  ScopedFd fd(raw_fd);
  absl::StatusOr<std::string> data = ReadAll(fd.get(), path, max_bytes);
  if (!data.ok()) return data.status();
  if (IsGzip(*data)) {
    absl::StatusOr<std::string> plain = Gunzip(*data, max_bytes);
    if (!plain.ok()) {
      return absl::Status(plain.status().code(), StrCat(path, ": ", View(plain.status().message())));
    }
    return simdjson::padded_string(*plain);
  }
  return simdjson::padded_string(*data);
}

absl::Status WriteFileAtomically(std::string_view path, std::string_view data) {
  std::string tmp = StrCat(path, ".tmp");
  KZ_RETURN_IF_ERROR(WriteSynced(tmp, data));
  if (::rename(tmp.c_str(), std::string(path).c_str()) != 0) return FileError(path, errno);
  return absl::OkStatus();
}

absl::Status CreateFileExclusively(std::string_view path, std::string_view data) {
  std::string tmp = StrCat(path, ".", ::getpid(), ".new");
  KZ_RETURN_IF_ERROR(WriteSynced(tmp, data));
  int linked = ::link(tmp.c_str(), std::string(path).c_str());
  int err = errno;
  ::unlink(tmp.c_str());
  if (linked == 0) return absl::OkStatus();
  if (err == EEXIST) return absl::AlreadyExistsError(StrCat(path, " exists"));
  return FileError(path, err);
}

}  // namespace kizuna
