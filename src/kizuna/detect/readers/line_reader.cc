// Kizuna.
#include "kizuna/detect/readers/line_reader.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

#include "kizuna/base/strings.h"
#include "simdjson.h"

namespace kizuna::detect {
namespace {

constexpr size_t kBlockBytes = 1 << 20;

// zlib prefixes its messages with the file name it was given ("<fd:3>: "): drop it.
std::string ZlibMessage(const char* message) {
  std::string_view m = message;
  if (m.starts_with("<fd:")) {
    const size_t colon = m.find(": ");
    if (colon != std::string_view::npos) m.remove_prefix(colon + 2);
  }
  return std::string(m);
}

}  // namespace

void LineReader::GzCloser::operator()(void* file) const { gzclose(static_cast<gzFile>(file)); }

LineReader::LineReader(size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}
LineReader::~LineReader() = default;

absl::Status LineReader::Open(const std::string& path) {
  path_ = path;
  int fd = path == "-" ? dup(STDIN_FILENO) : open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    std::string message = StrCat(path, ": ", std::strerror(e));
    if (e == ENOENT) return absl::NotFoundError(message);
    if (e == EACCES) return absl::PermissionDeniedError(message);
    return absl::InternalError(message);
  }
  gzFile gz = gzdopen(fd, "rb");
  if (gz == nullptr) {
    close(fd);
    return absl::InternalError(StrCat(path, ": cannot start reading"));
  }
  gzbuffer(gz, 256 * 1024);
  file_.reset(gz);
  capacity_ = kBlockBytes > max_line_bytes_ + 1 ? kBlockBytes : max_line_bytes_ + 1;
  buffer_ = std::make_unique<char[]>(capacity_ + simdjson::SIMDJSON_PADDING);
  return absl::OkStatus();
}

bool LineReader::Refill() {
  if (file_ == nullptr) return false;
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
  const int n = gzread(static_cast<gzFile>(file_.get()), buffer_.get() + end_,
                       static_cast<unsigned>(capacity_ - end_));
  if (n < 0) {
    int code = 0;
    error_ = ZlibMessage(gzerror(static_cast<gzFile>(file_.get()), &code));
    eof_ = true;
    end_ = 0;
    return false;
  }
  if (n == 0) {
    eof_ = true;
    int code = 0;
    const char* message = gzerror(static_cast<gzFile>(file_.get()), &code);
    if (code != Z_OK && code != Z_STREAM_END) error_ = ZlibMessage(message);
    if (end_ == 0 || skipping_) return false;
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
