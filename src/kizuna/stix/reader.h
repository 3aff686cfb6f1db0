// Kizuna. Splitting an input document into the exact JSON text of each STIX object.
#pragma once

// Kizuna stores each object's JSON exactly as accepted, so input is not parsed into a tree
// and re-serialised: DocumentReader scans the document once, without building anything, and
// hands out the byte span of each top-level STIX object; Locate() turns a span's offset
// into a line and column when a message needs one. Each span is then parsed and validated on its own, so one broken object is
// rejected alone and the objects around it still go in.
//
// Accepted documents (DocumentFormat::kAuto tells them apart):
//   - a STIX bundle            {"type": "bundle", "id": "bundle--...", "objects": [...]}
//   - a TAXII 2.1 envelope     {"objects": [...], "more": false}
//   - a JSON list of objects   [{...}, {...}]
//   - JSON lines               one object per line
//   - a single STIX object     {"type": "indicator", ...}
//
//   DocumentReader reader(text);              // text must outlive the reader
//   ObjectSpan span;
//   while (true) {
//     KZ_ASSIGN_OR_RETURN(bool more, reader.Next(span));
//     if (!more) break;
//     ... span.json ...
//   }
//
// A structural error in the container (a missing comma between objects, input ending in the
// middle of an object, a bundle whose `type` is not "bundle") ends the iteration with an
// InvalidArgument naming line and column; the spans returned before it stay valid.
// Thread-safety: a reader is used by one thread; it never writes to the text.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "kizuna/base/limits.h"

namespace kizuna::stix {

enum class DocumentFormat : uint8_t { kAuto, kBundle, kEnvelope, kList, kJsonLines, kObject };

// Returns "bundle", "envelope", "list", "jsonl", "object" (or "auto").
std::string_view DocumentFormatName(DocumentFormat format);

struct ObjectSpan {
  std::string_view json;  // from '{' to the matching '}' inclusive, as in the input
  size_t offset = 0;      // of the '{' in the document
  // Set when the span could not be taken as an object (too large, too deep, not an
  // object); the caller rejects this one object with this message and goes on.
  std::string error;
};

struct ReaderOptions {
  // Objects larger than this are reported through ObjectSpan::error, not handed out.
  size_t max_object_bytes = limits::kMaxObjectBytes;
  // Deeper nesting is reported through ObjectSpan::error (the scan itself never recurses).
  size_t max_depth = limits::kMaxJsonDepth;
};

class DocumentReader {
 public:
  // `text` is the whole document; it must outlive the reader and the spans.
  explicit DocumentReader(std::string_view text, ReaderOptions options = {},
                          DocumentFormat format = DocumentFormat::kAuto);

  // Moves to the next object. Returns true with `span` filled, false at the end of the
  // document, or InvalidArgument ("line L, column C: ...") on a structural error, after
  // which every call returns the same error.
  absl::StatusOr<bool> Next(ObjectSpan& span);

  // The format found (after the first call to Next; kAuto before).
  DocumentFormat format() const { return format_; }

  // Returns the 1-based line and column (in bytes) of byte `offset`. Cheapest when
  // successive calls pass growing offsets: the text is then counted only once.
  std::pair<uint32_t, uint32_t> Locate(size_t offset);

  // Returns "line L, column C" for `offset`.
  std::string Where(size_t offset);

 private:
  absl::Status Start();
  absl::Status StartObject();
  absl::Status FinishTopObject(size_t pos);
  absl::StatusOr<bool> NextInArray(ObjectSpan& span);
  absl::StatusOr<bool> NextLine(ObjectSpan& span);
  void CheckSpan(size_t depth, ObjectSpan& span) const;
  absl::Status ErrorAt(size_t offset, std::string_view what);

  std::string_view text_;
  ReaderOptions options_;
  DocumentFormat format_;
  bool started_ = false;
  bool done_ = false;
  absl::Status error_;
  size_t pos_ = 0;              // scan position
  size_t object_end_ = 0;       // kObject: end of the single object
  bool first_in_array_ = true;
  bool rest_of_top_ = false;    // members may follow the objects list in the top object
  size_t line_offset_ = 0;      // Locate() has counted lines up to here
  uint32_t line_ = 1;
  size_t line_start_ = 0;
};

}  // namespace kizuna::stix
