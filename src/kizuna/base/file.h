// Kizuna. Reading whole files into padded buffers, with gzip transparently undone.
#pragma once

// With input_file.h (which maps files), the only place in the library that opens files for
// reading (SQLite opens its own).
// Thread-safety: stateless; each call is independent.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "simdjson.h"

namespace kizuna {

// Reads the file at `path` (or standard input when `path` is "-") into a buffer padded for
// simdjson. A gzip file (magic 1f 8b) is decompressed. Returns NotFound / PermissionDenied /
// InvalidArgument (corrupt gzip) / ResourceExhausted (more than `max_bytes` after
// decompression), each message naming the path.
absl::StatusOr<simdjson::padded_string> ReadFile(std::string_view path, uint64_t max_bytes);

// Returns FailedPrecondition when the file at `path` gives its group or others any access
// (mode bits 077), naming the path, its mode and the fix (chmod 600), or belongs to another
// user than this process's (root's is accepted): a file holding a secret (a password, a
// private key) must be its owner's alone. NotFound / PermissionDenied as
// FileError when it cannot be examined.
absl::Status CheckPrivateFile(std::string_view path);

// Reads the file at `path` (not standard input) as ReadFile does, without gzip, after
// checking on the opened file what CheckPrivateFile checks. Returns its errors and ReadFile's.
absl::StatusOr<std::string> ReadPrivateFile(std::string_view path, uint64_t max_bytes);

// Writes `data` to `path` atomically: a temporary file in the same folder, fsync, rename.
// The file is readable and writable by its owner only (0600).
absl::Status WriteFileAtomically(std::string_view path, std::string_view data);

// Creates `path` holding `data` (0600), unless it exists: then returns AlreadyExists and
// leaves it as it is. Of processes racing to create it, exactly one succeeds, and nobody
// ever sees it partly written (a temporary file, fsync, then a hard link to `path`).
absl::Status CreateFileExclusively(std::string_view path, std::string_view data);

// Returns the status for errno `err` on `path`: NotFound, PermissionDenied or InvalidArgument,
// the message naming the path and the error.
absl::Status FileError(std::string_view path, int err);

// Returns true if `data` starts with the gzip magic bytes.
bool IsGzip(std::string_view data);

// Decompresses gzip `data` (one or more members). Returns InvalidArgument on corrupt or
// truncated input, ResourceExhausted if the output would exceed `max_bytes`.
absl::StatusOr<std::string> Gunzip(std::string_view data, uint64_t max_bytes);

}  // namespace kizuna
