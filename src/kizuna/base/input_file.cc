// Kizuna.
#include "kizuna/base/input_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"

namespace kizuna {
absl::StatusOr<std::unique_ptr<InputFile>> InputFile::Open(std::string_view path,
                                                           uint64_t max_bytes) {
  auto in = std::make_unique<InputFile>(Token{});
  struct stat st {};
  int fd = -1;
  if (path != "-") {
    fd = ::open(std::string(path).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return FileError(path, errno);
  }
  const bool regular = fd >= 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
  if (regular && static_cast<uint64_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return absl::ResourceExhaustedError(
        StrCat(path, ": file is ", st.st_size, " bytes, more than the limit of ", max_bytes));
  }
  if (regular) {
    const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    const size_t size = static_cast<size_t>(st.st_size);
    const size_t file_pages = (size + page - 1) / page * page;
    const size_t total = file_pages + (simdjson::SIMDJSON_PADDING + page - 1) / page * page;
    // Reserve the whole range as zero pages, then map the file over its start: the bytes
    // after the end of the file, in its last page and in the pages after it, read as zero.
    void* range = ::mmap(nullptr, total, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (range != MAP_FAILED) {
      void* file = ::mmap(range, size, PROT_READ, MAP_PRIVATE | MAP_FIXED | MAP_POPULATE, fd, 0);
      if (file != MAP_FAILED) {
        ::madvise(range, size, MADV_SEQUENTIAL);
        ::close(fd);
        in->mapping_ = range;
        in->mapping_bytes_ = total;
        in->text_ = std::string_view(static_cast<const char*>(range), size);
        if (!IsGzip(in->text_)) return in;
        in = std::make_unique<InputFile>(Token{});  // gzip: read and undone below
      } else {
        ::munmap(range, total);
      }
    }
  }
  if (fd >= 0) ::close(fd);
  absl::StatusOr<simdjson::padded_string> copy = ReadFile(path, max_bytes);
  if (!copy.ok()) return copy.status();
  in->copy_ = std::move(*copy);
  in->text_ = std::string_view(in->copy_.data(), in->copy_.size());
  return in;
}

InputFile::~InputFile() {
  if (mapping_ != nullptr) ::munmap(mapping_, mapping_bytes_);
}

}  // namespace kizuna
