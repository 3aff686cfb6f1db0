// Kizuna.
#include "kizuna/detect/snapshot_file.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/correlation_set.h"
#include "kizuna/detect/lookup/hash.h"
#include "kizuna/pattern/pattern_set.h"

namespace kizuna::detect {
namespace {

constexpr char kMagic[8] = {'K', 'Z', 'S', 'N', 'A', 'P', '\0', '\0'};
constexpr uint64_t kChecksumSeed = 0x6b7a736e61702031ull;
// Bounds what a damaged header could make Read allocate before the checksum is known.
constexpr uint32_t kMaxStampBytes = 1 << 20;
constexpr size_t kBufferBytes = 1 << 20;

struct FileCloser {
  void operator()(FILE* f) const {
    if (f != nullptr) std::fclose(f);
  }
};
using File = std::unique_ptr<FILE, FileCloser>;

std::vector<std::string_view> SplitLines(std::string_view s) {
  std::vector<std::string_view> lines;
  while (!s.empty()) {
    const size_t end = s.find('\n');
    lines.push_back(s.substr(0, end));
    if (end == std::string_view::npos) break;
    s.remove_prefix(end + 1);
  }
  return lines;
}

// The GNU build id note of the main program, as hex; empty when it has none.
int FindBuildId(dl_phdr_info* info, size_t, void* out) {
  // The first object listed is the main program.
  auto* id = static_cast<std::string*>(out);
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_NOTE) continue;
    const char* at = reinterpret_cast<const char*>(info->dlpi_addr + ph.p_vaddr);
    const char* end = at + ph.p_memsz;
    while (at + sizeof(ElfW(Nhdr)) <= end) {
      ElfW(Nhdr) note;
      std::memcpy(&note, at, sizeof(note));
      const char* name = at + sizeof(note);
      const char* desc = name + ((note.n_namesz + 3) & ~3u);
      if (note.n_type == NT_GNU_BUILD_ID && note.n_namesz == 4 &&
          std::memcmp(name, "GNU", 4) == 0 && desc + note.n_descsz <= end) {
        static constexpr char kHex[] = "0123456789abcdef";
        for (uint32_t k = 0; k < note.n_descsz; ++k) {
          const auto b = static_cast<unsigned char>(desc[k]);
          id->push_back(kHex[b >> 4]);
          id->push_back(kHex[b & 15]);
        }
        return 1;
      }
      at = desc + ((note.n_descsz + 3) & ~3u);
    }
  }
  return 1;  // only the main program
}

// OK when the folder of `path` is a folder (not a link) of this user that no other user may
// write to; FailedPrecondition naming it otherwise.
absl::Status CheckPrivateFolder(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) return FileError(dir, errno);
  if (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid() || (st.st_mode & 022) != 0) {
    return absl::FailedPreconditionError(StrCat(
        "compiled-set folder ", dir, " is not a folder of this user that only it may write to"));
  }
  return absl::OkStatus();
}

}  // namespace

// Writes items to a FILE, chaining the checksum over each.
class SnapshotFile::Writer {
 public:
  explicit Writer(FILE* f) : f_(f) {}
  void Bytes(const void* data, size_t n) {
    if (!ok_) return;
    sum_ = HashBytes(std::string_view(static_cast<const char*>(data), n), sum_);
    size_ += n;
    if (n > 0 && std::fwrite(data, 1, n, f_) != n) ok_ = false;
  }
  template <typename T>
  void Scalar(T v) {
    static_assert(std::is_trivially_copyable_v<T>);
    Bytes(&v, sizeof(v));
  }
  template <typename Vector>
  void Array(const Vector& v) {
    static_assert(std::is_trivially_copyable_v<typename Vector::value_type>);
    Scalar<uint64_t>(v.size());
    Bytes(v.data(), v.size() * sizeof(typename Vector::value_type));
  }
  void Text(std::string_view s) {
    Scalar<uint64_t>(s.size());
    Bytes(s.data(), s.size());
  }
  bool ok() const { return ok_; }
  uint64_t sum() const { return sum_; }
  uint64_t size() const { return size_; }

 private:
  FILE* f_;
  bool ok_ = true;
  uint64_t sum_ = kChecksumSeed;
  uint64_t size_ = 0;
};

// Reads items back, chaining the same checksum; stops at the first short read.
class SnapshotFile::Reader {
 public:
  Reader(FILE* f, uint64_t body) : f_(f), left_(body) {}
  bool Bytes(void* data, size_t n) {
    if (!ok_ || n > left_ || (n > 0 && std::fread(data, 1, n, f_) != n)) {
      ok_ = false;
      return false;
    }
    left_ -= n;
    sum_ = HashBytes(std::string_view(static_cast<const char*>(data), n), sum_);
    return true;
  }
  template <typename T>
  T Scalar() {
    T v{};
    Bytes(&v, sizeof(v));
    return v;
  }
  template <typename Vector>
  void Array(Vector& v) {
    using T = typename Vector::value_type;
    const uint64_t n = Scalar<uint64_t>();
    if (!ok_ || n > left_ / sizeof(T)) {  // more than the file holds: damaged
      ok_ = false;
      return;
    }
    v.resize(n);
    Bytes(v.data(), n * sizeof(T));
  }
  std::string Text() {
    const uint64_t n = Scalar<uint64_t>();
    if (!ok_ || n > left_) {
      ok_ = false;
      return {};
    }
    std::string s(n, '\0');
    Bytes(s.data(), n);
    return s;
  }
  bool ok() const { return ok_; }
  uint64_t left() const { return left_; }
  uint64_t sum() const { return sum_; }

 private:
  FILE* f_;
  bool ok_ = true;
  uint64_t left_;
  uint64_t sum_ = kChecksumSeed;
};

const std::string& SnapshotFile::BuildId() {
  static const std::string id = [] {
    std::string s;
    dl_iterate_phdr(FindBuildId, &s);
    if (s.empty()) s = StrCat("compiled ", __DATE__, " ", __TIME__);
    return s;
  }();
  return id;
}

absl::Status SnapshotFile::WriteBody(Writer& w, const Snapshot& s, const CompileReport& report) {
  w.Array(s.ids_);
  w.Array(s.lists_.data_);
  w.Scalar<uint64_t>(s.strings_.seed_);
  w.Scalar<uint64_t>(s.strings_.mask_);
  w.Scalar<uint64_t>(s.strings_.keys_);
  w.Array(s.strings_.slots_);
  w.Array(s.strings_.records_);
  const auto int_table = [&w](const auto& t) {
    w.Scalar<uint64_t>(t.seed_);
    w.Scalar<uint64_t>(t.mask_);
    w.Scalar<uint64_t>(t.keys_);
    w.Array(t.buckets_);
  };
  int_table(s.ipv4_);
  int_table(s.netdst_v4_);
  const auto ranges = [&w](const auto& t) {
    w.Array(t.blocks_);
    w.Array(t.starts_);
    w.Array(t.chains_of_);
    w.Array(t.chains_);
    w.Array(t.directory_);
  };
  ranges(s.v4_blocks_);
  ranges(s.v6_blocks_);
  w.Scalar<uint32_t>(s.string_slots_);
  w.Scalar<uint8_t>(s.has_suffixes_ ? 1 : 0);
  w.Scalar<uint64_t>(s.pattern_type_mask_);
  w.Scalar<int64_t>(s.selected_at_us_);
  w.Scalar<int64_t>(s.next_change_us_);
  w.Array(s.pattern_indicator_);
  const size_t patterns = s.patterns_ == nullptr ? 0 : s.patterns_->size();
  if (patterns != s.pattern_indicator_.size()) {
    return absl::InternalError("a snapshot's patterns and their indicators differ in number");
  }
  for (size_t i = 0; i < patterns; ++i) {
    const pattern::Pattern& p = s.patterns_->pattern(i);
    w.Scalar<uint8_t>(static_cast<uint8_t>(p.version()));
    w.Text(p.ast().text());
  }
  const Snapshot::Stats& st = s.stats_;
  for (size_t v : {st.indicators, st.simple, st.evaluated, st.multi, st.uncorrelated, st.keys,
                   st.lookup_bytes}) {
    w.Scalar<uint64_t>(v);
  }
  for (int64_t v :
       {report.objects, report.active, report.revoked, report.expired, report.not_yet_valid,
        report.other_pattern_type, report.exercise, report.duplicates, report.invalid,
        report.simple, report.evaluated, report.multi, report.suppressed, report.suppressed_keys}) {
    w.Scalar<int64_t>(v);
  }
  w.Scalar<uint64_t>(report.suppressed_by_list.size());
  for (const auto& [list, n] : report.suppressed_by_list) {
    w.Text(list);
    w.Scalar<int64_t>(n);
  }
  w.Scalar<uint64_t>(report.problems.size());
  for (const CompileProblem& p : report.problems) {
    w.Text(p.id);
    w.Text(p.reason);
  }
  w.Scalar<uint64_t>(report.suppressions.size());
  for (const Suppression& p : report.suppressions) {
    w.Text(p.id);
    w.Text(p.value);
    w.Text(p.list);
  }
  w.Scalar<uint64_t>(report.lookup_bytes);
  w.Scalar<double>(report.seconds);
  return absl::OkStatus();
}

absl::Status SnapshotFile::Write(const std::string& path, std::string_view stamp,
                                 const Snapshot& snapshot, const CompileReport& report) {
  KZ_RETURN_IF_ERROR(CheckPrivateFolder(path));
  const std::string temp = StrCat(path, ".", ::getpid(), ".new");
  ::unlink(temp.c_str());  // left by a process of the same id that did not finish
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return FileError(temp, errno);
  File f(::fdopen(fd, "wb"));
  if (f == nullptr) {
    const int err = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    return FileError(temp, err);
  }
  std::setvbuf(f.get(), nullptr, _IOFBF, kBufferBytes);
  const auto fail = [&](absl::Status status) {
    f.reset();
    ::unlink(temp.c_str());
    return status;
  };
  // The header, with the body's size and checksum written again once known.
  std::string header(kMagic, sizeof(kMagic));
  const auto put32 = [&header](uint32_t v) { header.append(reinterpret_cast<const char*>(&v), 4); };
  put32(kFormatVersion);
  const std::string full_stamp = StrCat("build=", BuildId(), "\n", stamp);
  put32(static_cast<uint32_t>(full_stamp.size()));
  header += full_stamp;
  const size_t sizes_at = header.size();
  header.append(32, '\0');
  if (std::fwrite(header.data(), 1, header.size(), f.get()) != header.size()) {
    return fail(FileError(temp, errno));
  }
  Writer w(f.get());
  if (absl::Status s = WriteBody(w, snapshot, report); !s.ok()) return fail(s);
  if (!w.ok()) return fail(FileError(temp, errno));
  const uint64_t trailer[4] = {w.size(), w.sum(), static_cast<uint64_t>(snapshot.selected_at_us_),
                               static_cast<uint64_t>(snapshot.next_change_us_)};
  if (std::fseek(f.get(), static_cast<long>(sizes_at), SEEK_SET) != 0 ||
      std::fwrite(trailer, 1, sizeof(trailer), f.get()) != sizeof(trailer) ||
      std::fflush(f.get()) != 0 || ::fsync(fileno(f.get())) != 0) {
    return fail(FileError(temp, errno));
  }
  if (std::fclose(f.release()) != 0) {
    ::unlink(temp.c_str());
    return FileError(temp, errno);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return FileError(path, err);
  }
  return absl::OkStatus();
}

void SnapshotFile::ReadBody(Reader& r, Snapshot& s, CompileReport& report,
                            std::vector<StoredPattern>& patterns) {
  r.Array(s.ids_);
  r.Array(s.lists_.data_);
  s.strings_.seed_ = r.Scalar<uint64_t>();
  s.strings_.mask_ = r.Scalar<uint64_t>();
  s.strings_.keys_ = r.Scalar<uint64_t>();
  r.Array(s.strings_.slots_);
  r.Array(s.strings_.records_);
  const auto int_table = [&r](auto& t) {
    t.seed_ = r.template Scalar<uint64_t>();
    t.mask_ = r.template Scalar<uint64_t>();
    t.keys_ = r.template Scalar<uint64_t>();
    r.Array(t.buckets_);
  };
  int_table(s.ipv4_);
  int_table(s.netdst_v4_);
  const auto ranges = [&r](auto& t) {
    r.Array(t.blocks_);
    r.Array(t.starts_);
    r.Array(t.chains_of_);
    r.Array(t.chains_);
    r.Array(t.directory_);
  };
  ranges(s.v4_blocks_);
  ranges(s.v6_blocks_);
  s.string_slots_ = r.Scalar<uint32_t>();
  s.has_suffixes_ = r.Scalar<uint8_t>() != 0;
  s.pattern_type_mask_ = r.Scalar<uint64_t>();
  s.selected_at_us_ = r.Scalar<int64_t>();
  s.next_change_us_ = r.Scalar<int64_t>();
  r.Array(s.pattern_indicator_);
  for (size_t i = 0; r.ok() && i < s.pattern_indicator_.size(); ++i) {
    const uint8_t version = r.Scalar<uint8_t>();
    patterns.push_back({version, r.Text()});
  }
  Snapshot::Stats& st = s.stats_;
  for (size_t* v : {&st.indicators, &st.simple, &st.evaluated, &st.multi, &st.uncorrelated,
                    &st.keys, &st.lookup_bytes}) {
    *v = r.Scalar<uint64_t>();
  }
  for (int64_t* v : {&report.objects, &report.active, &report.revoked, &report.expired,
                     &report.not_yet_valid, &report.other_pattern_type, &report.exercise,
                     &report.duplicates, &report.invalid, &report.simple, &report.evaluated,
                     &report.multi, &report.suppressed, &report.suppressed_keys}) {
    *v = r.Scalar<int64_t>();
  }
  for (uint64_t n = r.Scalar<uint64_t>(); r.ok() && n > 0; --n) {
    std::string list = r.Text();
    report.suppressed_by_list[std::move(list)] = r.Scalar<int64_t>();
  }
  for (uint64_t n = r.Scalar<uint64_t>(); r.ok() && n > 0; --n) {
    CompileProblem& p = report.problems.emplace_back();
    p.id = r.Text();
    p.reason = r.Text();
  }
  for (uint64_t n = r.Scalar<uint64_t>(); r.ok() && n > 0; --n) {
    Suppression& p = report.suppressions.emplace_back();
    p.id = r.Text();
    p.value = r.Text();
    p.list = r.Text();
  }
  report.lookup_bytes = r.Scalar<uint64_t>();
  report.seconds = r.Scalar<double>();
}

absl::Status SnapshotFile::CompilePatterns(std::vector<StoredPattern>& patterns, Snapshot& s) {
  // The evaluator's patterns are compiled again: only those, never the simple indicators.
  if (patterns.empty()) return absl::OkStatus();
  pattern::PatternSet::Builder set;
  for (size_t i = 0; i < patterns.size(); ++i) {
    if (patterns[i].version > static_cast<uint8_t>(pattern::StixVersion::k21)) {
      return absl::DataLossError(StrCat("patterns: pattern ", i, " has STIX version code ",
                                        int{patterns[i].version}, " (at most ",
                                        static_cast<int>(pattern::StixVersion::k21), ")"));
    }
    pattern::CompileOptions options;
    options.version = static_cast<pattern::StixVersion>(patterns[i].version);
    absl::StatusOr<std::unique_ptr<const pattern::Pattern>> p =
        pattern::Pattern::Compile(patterns[i].text, options);
    if (!p.ok()) {
      return absl::DataLossError(
          StrCat("patterns: pattern ", i, " does not compile: ", p.status().message()));
    }
    set.Add(std::move(*p));
  }
  s.patterns_ = std::move(set).Build();
  if (!s.patterns_->multi_observation().empty()) {
    size_t uncorrelated = 0;
    s.correlations_ = CorrelationSet::Build(*s.patterns_, &uncorrelated);
  }
  return absl::OkStatus();
}

std::string SnapshotFile::StampDifference(std::string_view file, std::string_view wanted) {
  const std::vector<std::string_view> a = SplitLines(file), b = SplitLines(wanted);
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const std::string_view x = i < a.size() ? a[i] : "", y = i < b.size() ? b[i] : "";
    if (x == y) continue;
    const std::string_view line = y.empty() ? x : y;
    return StrCat(line.substr(0, line.find('=')), " differs");
  }
  return "its inputs differ";
}

absl::StatusOr<SnapshotFile::Content> SnapshotFile::Read(const std::string& path,
                                                         std::string_view stamp, int64_t now_us) {
  return Read(
      path,
      [stamp](std::string_view file) {
        return file == stamp ? absl::OkStatus()
                             : absl::FailedPreconditionError(StampDifference(file, stamp));
      },
      now_us);
}

absl::StatusOr<SnapshotFile::Content> SnapshotFile::Read(const std::string& path,
                                                         const StampCheck& check, int64_t now_us) {
  // Neither a symbolic link nor a FIFO or device (which would block), nor a file or folder
  // another user could have written: only what this user wrote with Write is read.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return absl::NotFoundError(StrCat("no compiled-set file ", path));
    return FileError(path, errno);
  }
  struct stat own {};
  if (::fstat(fd, &own) != 0 || !S_ISREG(own.st_mode) || own.st_uid != ::geteuid() ||
      (own.st_mode & 077) != 0) {
    ::close(fd);
    return absl::FailedPreconditionError(
        StrCat("compiled-set file ", path, " is not a regular file of this user with mode 0600"));
  }
  if (absl::Status dir = CheckPrivateFolder(path); !dir.ok()) {
    ::close(fd);
    return dir;
  }
  File f(::fdopen(fd, "rb"));
  if (f == nullptr) {
    const int err = errno;
    ::close(fd);
    return FileError(path, err);
  }
  std::setvbuf(f.get(), nullptr, _IOFBF, kBufferBytes);
  const auto damaged = [&path](std::string_view why) {
    return absl::DataLossError(StrCat("compiled-set file ", path, " is ", why));
  };
  char magic[sizeof(kMagic)];
  uint32_t version = 0, stamp_size = 0;
  if (std::fread(magic, 1, sizeof(magic), f.get()) != sizeof(magic) ||
      std::memcmp(magic, kMagic, sizeof(kMagic)) != 0) {
    return damaged("not a compiled-set file");
  }
  if (std::fread(&version, 4, 1, f.get()) != 1 || std::fread(&stamp_size, 4, 1, f.get()) != 1) {
    return damaged("truncated");
  }
  if (version != kFormatVersion) {
    return absl::FailedPreconditionError(StrCat(
        "compiled-set file ", path, " is of format version ", version, ", not ", kFormatVersion));
  }
  if (stamp_size > kMaxStampBytes) return damaged("damaged (its stamp's size)");
  std::string file_stamp(stamp_size, '\0');
  uint64_t trailer[4];  // body size, checksum, selected_at_us, next_change_us
  if (std::fread(file_stamp.data(), 1, stamp_size, f.get()) != stamp_size ||
      std::fread(trailer, sizeof(trailer), 1, f.get()) != 1) {
    return damaged("truncated");
  }
  const std::string build = StrCat("build=", BuildId(), "\n");
  if (!std::string_view(file_stamp).starts_with(build)) {
    return absl::FailedPreconditionError(
        StrCat("compiled-set file ", path, " was written by another build"));
  }
  if (absl::Status accepted = check(std::string_view(file_stamp).substr(build.size()));
      !accepted.ok()) {
    if (!absl::IsFailedPrecondition(accepted)) return accepted;
    return absl::FailedPreconditionError(
        StrCat("compiled-set file ", path, " is stale: ", accepted.message()));
  }
  const auto selected_at = static_cast<int64_t>(trailer[2]);
  const auto next_change = static_cast<int64_t>(trailer[3]);
  if (now_us < selected_at || (next_change != 0 && now_us >= next_change)) {
    return absl::FailedPreconditionError(
        StrCat("compiled-set file ", path,
               " is stale: an indicator's validity time passed since it was compiled"));
  }
  struct stat st {};
  if (::fstat(fileno(f.get()), &st) != 0) return FileError(path, errno);
  const uint64_t header = sizeof(kMagic) + 8 + stamp_size + sizeof(trailer);
  if (static_cast<uint64_t>(st.st_size) != header + trailer[0]) {
    return damaged(static_cast<uint64_t>(st.st_size) < header + trailer[0]
                       ? "truncated"
                       : "longer than its header says");
  }
  auto snapshot = std::make_unique<Snapshot>(Snapshot::PrivateTag{});
  Content out;
  Reader r(f.get(), trailer[0]);
  std::vector<StoredPattern> patterns;
  ReadBody(r, *snapshot, out.report, patterns);
  if (!r.ok()) return damaged("truncated");
  if (r.left() != 0) return damaged("longer than its header says");
  if (r.sum() != trailer[1]) return damaged("damaged (its checksum)");
  if (snapshot->selected_at_us_ != selected_at || snapshot->next_change_us_ != next_change) {
    return damaged("damaged (its times)");
  }
  // Nothing read is used before every table is checked: the checksum is no secret.
  absl::Status valid = Validate(*snapshot);
  if (valid.ok()) valid = CompilePatterns(patterns, *snapshot);
  if (!valid.ok()) return damaged(StrCat("invalid: ", valid.message()));
  out.snapshot = std::move(snapshot);
  return out;
}

absl::Status SnapshotFile::Reseal(const std::string& path) {
  File f(std::fopen(path.c_str(), "r+b"));
  if (f == nullptr) return FileError(path, errno);
  char magic[sizeof(kMagic)];
  uint32_t sizes[2];  // format version, stamp size
  if (std::fread(magic, 1, sizeof(magic), f.get()) != sizeof(magic) ||
      std::memcmp(magic, kMagic, sizeof(kMagic)) != 0 ||
      std::fread(sizes, sizeof(sizes), 1, f.get()) != 1 || sizes[1] > kMaxStampBytes ||
      std::fseek(f.get(), static_cast<long>(sizes[1]), SEEK_CUR) != 0) {
    return absl::DataLossError(StrCat(path, " is not a compiled-set file"));
  }
  const long trailer_at = std::ftell(f.get());
  uint64_t trailer[4];
  if (std::fread(trailer, sizeof(trailer), 1, f.get()) != 1) {
    return absl::DataLossError(StrCat(path, " is truncated"));
  }
  Snapshot scratch{Snapshot::PrivateTag{}};
  CompileReport report;
  std::vector<StoredPattern> patterns;
  Reader r(f.get(), trailer[0]);
  ReadBody(r, scratch, report, patterns);
  if (!r.ok() || r.left() != 0) return absl::DataLossError(StrCat(path, " is truncated"));
  trailer[1] = r.sum();
  if (std::fseek(f.get(), trailer_at, SEEK_SET) != 0 ||
      std::fwrite(trailer, sizeof(trailer), 1, f.get()) != 1 || std::fflush(f.get()) != 0) {
    return FileError(path, errno);
  }
  return absl::OkStatus();
}

}  // namespace kizuna::detect
