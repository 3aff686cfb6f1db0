// Kizuna.
#include "kizuna/http/line_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "kizuna/base/strings.h"

namespace kizuna::http {

absl::StatusOr<std::unique_ptr<LineSink>> LineSink::Open(const std::string& target) {
  if (target == "-") return std::make_unique<LineSink>(Private{}, stderr, false);
  int fd = ::open(target.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  std::FILE* file = fd < 0 ? nullptr : ::fdopen(fd, "a");
  if (file == nullptr) {
    std::string why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return absl::UnavailableError(StrCat("cannot open access log ", target, ": ", why));
  }
  return std::make_unique<LineSink>(Private{}, file, true);
}

LineSink::~LineSink() {
  if (owned_) std::fclose(file_);
}

std::function<void(std::string_view)> LineSink::Writer() {
  return [this](std::string_view line) {
    std::lock_guard<std::mutex> lock(mu_);
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fputc('\n', file_);
    std::fflush(file_);
  };
}

}  // namespace kizuna::http
