// Kizuna. A compiled snapshot written to a file and read back without compiling.
#pragma once

// Compiling a million indicators from the store costs seconds of CPU (reads, JSON, table
// builds); reading the tables it built back costs one read per array. A SnapshotFile holds a
// Snapshot's lookup tables as they are in memory (ids, indicator lists, the string table's
// buckets and records, the integer tables' buckets, the block tables' arrays), the text and
// STIX version of each evaluated pattern (compiled again when read: only the indicators the
// lookups cannot answer are parsed), the snapshot's times and stats, and the compilation's
// CompileReport. The caller's `stamp` (every input the compilation depended on, as text) is
// written in the header; Read gives the snapshot back only when the stamp is the same, the
// snapshot's selection still holds at `now_us` (no valid_from or valid_until has passed
// since), the format version and build are this program's, the body's checksum is right,
// and every table holds what its lookup assumes (Validate).
//
// File layout (native byte order; a file is only ever read by the build that wrote it):
//   "KZSNAP\0\0", u32 format version, u32 stamp size, stamp, u64 body size, u64 checksum,
//   i64 selected_at_us, i64 next_change_us,
//   body: scalars and arrays (u64 element count, then the elements' bytes), in a fixed order.
// The checksum is a chain of the lookup hash (lookup/hash.h) over every item of the body: it
// catches truncation and damage, not tampering (anyone who can write the file can compute
// it). What keeps a forged or broken file harmless is the validation: no table is used
// before each offset, index, table shape and probe path in it is checked
// (snapshot_file_check.cc); a forged file can still name other indicators, not read outside
// the tables or make a lookup loop.
//
//   KZ_RETURN_IF_ERROR(SnapshotFile::Write(path, stamp, *snapshot, report));
//   absl::StatusOr<SnapshotFile::Content> c = SnapshotFile::Read(path, stamp, now_us);
//   // !c.ok(): c.status().message() says why (missing, stale, truncated...); compile instead.
//
// Thread-safety: stateless; a file must not be written by two callers at once (Write goes
// through a temporary file and a rename, so readers never see half a file).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/detect/compiler.h"
#include "kizuna/detect/snapshot.h"

namespace kizuna::detect {

class SnapshotFile {
 public:
  // Raised whenever the layout changes.
  static constexpr uint32_t kFormatVersion = 1;

  struct Content {
    std::shared_ptr<const Snapshot> snapshot;
    CompileReport report;
  };

  // Writes `snapshot` and `report` to `path` (a temporary file in the same folder, mode 0600,
  // then renamed over `path`). Errors: the file system's, naming the path; FailedPrecondition
  // when the folder is not this user's alone to write to.
  static absl::Status Write(const std::string& path, std::string_view stamp,
                            const Snapshot& snapshot, const CompileReport& report);

  // Reads `path`. NotFound when there is no file; FailedPrecondition when it is not a regular
  // file of this user with mode 0600 in a folder of this user that no other may write to
  // (links are not followed, FIFOs not waited on), of another format version or build, its
  // stamp is not `stamp`, or a validity time passed since its compilation (at `now_us`);
  // DataLoss when it is truncated, damaged or not a snapshot file, or when its tables break
  // what their lookups assume (Validate). Each message says which, naming the path (and, for
  // a table, the table and the field: "string table: bucket 12 names offset 99, not a
  // record's start"). The checksum catches damage, not forgery; the validation makes a
  // forged file harmless (no lookup reads outside its arrays or fails to end).
  static absl::StatusOr<Content> Read(const std::string& path, std::string_view stamp,
                                      int64_t now_us);

  // Decides on the stamp written in a file (the caller's, without the build): OK to read
  // the file, else an error saying why not (FailedPrecondition) or the caller's own error.
  using StampCheck = std::function<absl::Status(std::string_view file_stamp)>;
  // As above, with `check` deciding instead of equality with a stamp.
  static absl::StatusOr<Content> Read(const std::string& path, const StampCheck& check,
                                      int64_t now_us);

  // "<key> differs", naming the first line (`key=value`) where two stamps differ.
  static std::string StampDifference(std::string_view file, std::string_view wanted);

  // OK when every table of `s` holds what its lookups assume (snapshot_file_check.cc lists
  // it); DataLoss naming the table and the field otherwise ("string table: bucket 12 names
  // offset 99, not a record's start"). Read calls it on every snapshot it reads, before
  // anything uses it; it costs one pass over the tables (bench/README.md).
  static absl::Status Validate(const Snapshot& s);

  // Recomputes the checksum of the file at `path` after its body was changed in place, so
  // that only the validation can refuse it: for tests of the validation (the checksum is not
  // a secret). Errors: the file system's; DataLoss when the file is not a compiled-set file.
  static absl::Status Reseal(const std::string& path);

  // What identifies this build (its GNU build id, or its compile time when it has none):
  // a file from another build is refused, whatever its format version says.
  static const std::string& BuildId();

 private:
  class Writer;
  class Reader;
  class Validator;  // snapshot_file_check.cc
  struct StoredPattern {
    uint8_t version;
    std::string text;
  };
  static absl::Status WriteBody(Writer& w, const Snapshot& s, const CompileReport& report);
  // Reads the body as written, without checking what it says.
  static void ReadBody(Reader& r, Snapshot& s, CompileReport& report,
                       std::vector<StoredPattern>& patterns);
  // Compiles the evaluator's patterns (and their correlations) again. DataLoss naming the
  // pattern when one does not compile or has an unknown STIX version.
  static absl::Status CompilePatterns(std::vector<StoredPattern>& patterns, Snapshot& s);
};

}  // namespace kizuna::detect
