// Kizuna.
#include "kizuna/detect/readers/line_reader.h"

#include <fcntl.h>
#include <unistd.h>
#include <poll.h>
#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"
#include "simdjson.h"

namespace kizuna::detect {
namespace {

constexpr size_t kBlockBytes = 1 << 20;
// The smallest buffer of a text in memory.
constexpr size_t kMinTextBuffer = 4096;

}  // namespace

// What the reader reads from: a file descriptor or text in memory, and the gzip stream when
// the input is one.
struct LineReader::Source {
  enum class Mode : uint8_t { kUnknown, kPlain, kGzip };
  // Fill() results besides a byte count.
  static constexpr ssize_t kEnd = 0;
  static constexpr ssize_t kError = -1;
  static constexpr ssize_t kRestarted = -2;  // the path was reopened (rotation, truncation)

  Source(std::string p, const FollowOptions& f) : path(std::move(p)), follow(f) {}
  ~Source() {
    if (inflating) inflateEnd(&z);
    if (fd >= 0) close(fd);
  }
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;

  bool Stopped() const { return follow.stop != nullptr && follow.stop->load(); }
  void Wait() const { poll(nullptr, 0, follow.poll_ms); }

  // Reopens the path when it names another file, or starts it again when it got shorter
  // than what was read. Returns true if so.
  bool Reopened() {
    struct stat now;
    if (stat(path.c_str(), &now) != 0) return false;  // moved away, not yet recreated
    if (now.st_dev == dev && now.st_ino == ino) {
      if (static_cast<uint64_t>(now.st_size) >= offset) return false;
      if (lseek(fd, 0, SEEK_SET) != 0) return false;
    } else {
      const int next = open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (next < 0) return false;
      close(fd);
      fd = next;
      dev = now.st_dev;
      ino = now.st_ino;
    }
    offset = 0;
    mode = Mode::kUnknown;
    z.avail_in = 0;
    in_member = false;
    if (inflating) inflateReset(&z);
    return true;
  }

  // Reads raw bytes; kEnd at the end (or on *stop), kRestarted, or kError with `error`.
  ssize_t ReadRaw(char* out, size_t size) {
    if (in_memory) {
      const size_t n = std::min(size, text.size());
      std::memcpy(out, text.data(), n);
      text.remove_prefix(n);
      offset += n;
      return static_cast<ssize_t>(n);
    }
    while (true) {
      if (Stopped()) {
        stopped = true;
        return kEnd;
      }
      if (follow.stop != nullptr) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, follow.poll_ms) == 0) continue;
      }
      const ssize_t n = read(fd, out, size);
      if (n > 0) {
        offset += static_cast<uint64_t>(n);
        return n;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        error = std::strerror(errno);
        return kError;
      }
      if (!follow.follow || path == "-") return kEnd;
      if (Reopened()) return kRestarted;
      Wait();
    }
  }

  // Fills `out` with up to `size` bytes of input (inflated); returns how many, or kEnd,
  // kRestarted, kError.
  ssize_t Fill(char* out, size_t size) {
    while (true) {
      if (mode == Mode::kGzip && z.avail_in > 0) {
        z.next_out = reinterpret_cast<Bytef*>(out);
        z.avail_out = static_cast<uInt>(size);
        const int r = inflate(&z, Z_NO_FLUSH);
        const size_t produced = size - z.avail_out;
        if (r == Z_STREAM_END) {
          in_member = false;
          inflateReset(&z);
        } else if (r == Z_OK || r == Z_BUF_ERROR) {
          in_member = true;
        } else {
          error = z.msg != nullptr ? z.msg : "invalid gzip data";
          return kError;
        }
        if (produced > 0) return static_cast<ssize_t>(produced);
        continue;
      }
      if (in_memory && mode == Mode::kUnknown) {
        // Sniffed in place, inflated in place: no copy of the text aside.
        mode = IsGzip(text) ? Mode::kGzip : Mode::kPlain;
        if (mode == Mode::kGzip) {
          if (!StartInflating()) return kError;
          z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
          z.avail_in = static_cast<uInt>(text.size());
          offset = text.size();
          text = {};
          continue;
        }
      }
      if (mode == Mode::kPlain) {
        if (pending.empty()) return ReadRaw(out, size);
        const size_t take = std::min(size, pending.size());
        std::memcpy(out, pending.data(), take);
        pending.erase(0, take);
        return static_cast<ssize_t>(take);
      }
      if (in_memory) {  // gzip text, inflated to its end
        if (in_member) error = "unexpected end of file";
        return kEnd;
      }
      if (raw == nullptr) raw = std::make_unique<char[]>(kBlockBytes);
      const ssize_t n = ReadRaw(raw.get(), kBlockBytes);
      if (n == kEnd && in_member) error = "unexpected end of file";
      if (n <= 0) return n;
      if (mode == Mode::kUnknown) {
        mode = IsGzip(std::string_view(raw.get(), static_cast<size_t>(n))) ? Mode::kGzip : Mode::kPlain;
        if (mode == Mode::kPlain) {
          // The first bytes were read aside to sniff them: hand them on.
          pending.assign(raw.get(), static_cast<size_t>(n));
        } else if (!StartInflating()) {
          return kError;
        }
      }
      if (mode == Mode::kPlain) continue;
      z.next_in = reinterpret_cast<Bytef*>(raw.get());
      z.avail_in = static_cast<uInt>(n);
    }
  }

  bool StartInflating() {
    if (!inflating && inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
      error = "cannot start inflating";
      return false;
    }
    inflating = true;
    return true;
  }

  const std::string path;
  const FollowOptions follow;
  bool in_memory = false;
  std::string_view text;  // in memory: what is left to read
  int fd = -1;
  dev_t dev = 0;
  ino_t ino = 0;
  uint64_t offset = 0;  // raw bytes read from fd
  Mode mode = Mode::kUnknown;
  z_stream z{};
  bool inflating = false;  // z initialised
  bool in_member = false;  // inside a gzip member: its end has not been read
  bool stopped = false;    // ended by *follow.stop
  std::unique_ptr<char[]> raw;
  std::string pending;     // sniffed plain bytes not yet handed on
  std::string error;
};

LineReader::LineReader(size_t max_line_bytes, FollowOptions follow)
    : max_line_bytes_(max_line_bytes), follow_(follow) {}
LineReader::~LineReader() = default;

absl::Status LineReader::Open(const std::string& path) {
  path_ = path;
  const int fd = path == "-" ? dup(STDIN_FILENO) : open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    std::string message = StrCat(path, ": ", std::strerror(e));
    if (e == ENOENT) return absl::NotFoundError(message);
    if (e == EACCES) return absl::PermissionDeniedError(message);
    return absl::InternalError(message);
  }
  source_ = std::make_unique<Source>(path, follow_);
  source_->fd = fd;
  struct stat st;
  if (fstat(fd, &st) == 0) {
    source_->dev = st.st_dev;
    source_->ino = st.st_ino;
  }
  capacity_ = kBlockBytes > max_line_bytes_ + 1 ? kBlockBytes : max_line_bytes_ + 1;
  buffer_ = std::make_unique<char[]>(capacity_ + simdjson::SIMDJSON_PADDING);
  return absl::OkStatus();
}

void LineReader::OpenText(const std::string& name, std::string_view text) {
  path_ = name;
  source_ = std::make_unique<Source>(name, FollowOptions{});
  source_->in_memory = true;
  source_->text = text;
  capacity_ = std::max(kBlockBytes, max_line_bytes_ + 1);
  // Plain text smaller than a block fits whole (with room for a last '\n'): no larger buffer.
  if (!IsGzip(text)) capacity_ = std::min(capacity_, std::max(text.size() + 1, kMinTextBuffer));
  buffer_ = std::make_unique_for_overwrite<char[]>(capacity_ + simdjson::SIMDJSON_PADDING);
}

bool LineReader::Refill() {
  if (source_ == nullptr) return false;
  // Keep the partial last line; the lines before it have been handed out.
  if (begin_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (eof_) {
    if (end_ == 0) return false;
    // The last line had no newline: give it one.
    buffer_[end_++] = '\n';
    return true;
  }
  if (end_ == capacity_) {
    // A partial line fills the block: over-long; drop it and skip to its end.
    end_ = 0;
    skipping_ = true;
  }
  ssize_t n;
  do {
    n = source_->Fill(buffer_.get() + end_, capacity_ - end_);
    if (n == Source::kRestarted && end_ > 0 && !skipping_) {
      // The file was rotated or truncated after a partial line: end it there.
      buffer_[end_++] = '\n';
      return true;
    }
  } while (n == Source::kRestarted);
  if (n <= 0) {  // kEnd or kError
    eof_ = true;
    error_ = source_->error;
    if (n < 0) {
      end_ = 0;
      return false;
    }
    // A partial line cut by a stop is dropped: its end may be on its way.
    if (end_ == 0 || skipping_ || source_->stopped) return false;
    buffer_[end_++] = '\n';
    return true;
  }
  end_ += static_cast<size_t>(n);
  bytes_ += static_cast<uint64_t>(n);
  std::memset(buffer_.get() + end_, 0, simdjson::SIMDJSON_PADDING);
  return true;
}

bool LineReader::NextLine(Line& line) {
  while (begin_ < end_) {
    const char* start = buffer_.get() + begin_;
    const void* nl = std::memchr(start, '\n', end_ - begin_);
    if (nl == nullptr) return false;
    size_t size = static_cast<const char*>(nl) - start;
    begin_ += size + 1;
    ++line_;
    line.number = line_;
    if (skipping_ || size > max_line_bytes_) {
      skipping_ = false;
      line.text = {};
      line.too_long = true;
      return true;
    }
    if (size > 0 && start[size - 1] == '\r') --size;
    line.text = std::string_view(start, size);
    line.too_long = false;
    return true;
  }
  return false;
}

}  // namespace kizuna::detect
