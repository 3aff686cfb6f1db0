// Kizuna. An input file's text, mapped into memory and padded for simdjson, without copies.
#pragma once

// InputFile::Open maps a regular file read-only (the kernel fills the pages as they are
// read; no copy of the file is made) and places readable zero bytes after its end, so the
// text can be handed to simdjson as a padded buffer. Standard input ("-"), pipes and gzip
// files are read into a padded buffer instead (ReadFile, file.h), so callers need not care.
//
//   KZ_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> in, InputFile::Open(path, max_bytes));
//   std::string_view text = in->text();   // simdjson::SIMDJSON_PADDING readable bytes follow
//
// Thread-safety: a constant object once opened; the text may be read by many threads.

#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "simdjson.h"

namespace kizuna {

class InputFile {
 public:
  // Opens `path` ("-" for standard input). Returns the errors of ReadFile (file.h): NotFound,
  // PermissionDenied, InvalidArgument (corrupt gzip), ResourceExhausted (over `max_bytes`),
  // each naming the path.
  static absl::StatusOr<std::unique_ptr<InputFile>> Open(std::string_view path, uint64_t max_bytes);

  struct Token {};  // only Open makes an InputFile
  explicit InputFile(Token) {}
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // The file's text (gzip undone), followed by at least simdjson::SIMDJSON_PADDING readable
  // bytes. Valid as long as this object.
  std::string_view text() const { return text_; }
  // True when the text is the mapped file itself (not a copy).
  bool mapped() const { return mapping_ != nullptr; }

 private:
  std::string_view text_;
  void* mapping_ = nullptr;  // the reserved range: the file's pages, then zero pages
  size_t mapping_bytes_ = 0;
  simdjson::padded_string copy_;  // when not mapped
};

}  // namespace kizuna
