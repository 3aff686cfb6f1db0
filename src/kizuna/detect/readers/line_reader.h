// Kizuna. Lines of a telemetry file, gzip or not, in blocks that stay put for a batch.
#pragma once

// LineReader reads a file (or standard input, "-"); input that starts with the gzip magic
// bytes is inflated (zlib, one member after another), anything else is passed through, so
// gzip is undone transparently. Each read hands on what the input has so far (a pipe fed a
// line at a time gives that line at once, not after a megabyte has gathered). Lines are handed
// out as views into the current block; they stay valid until the next call of Refill(), so
// a reader can keep a whole batch of records pointing into it. The block is followed by at
// least simdjson::SIMDJSON_PADDING readable bytes, so a line may be parsed by simdjson in place.
//
//   LineReader in;
//   KZ_RETURN_IF_ERROR(in.Open(path));
//   while (in.Refill()) {
//     LineReader::Line line;
//     while (in.NextLine(line)) ... line.text, line.number, line.too_long ...
//   }
//   if (!in.error().empty()) ...   // e.g. truncated gzip: what was read before it counts
//
// OpenText reads text already in memory (a batch received from a message bus) the same way,
// gzip included, without a file: `name` stands for the path in errors and file names.
//
// Following (FollowOptions::follow, like `tail -F`): at the end of a file the reader waits for
// more, polling every poll_ms; when the path names another file (rotation) or the file got
// shorter than what was read (truncation), it reopens the path and reads from its start (a
// partial last line is ended there; line numbers go on counting). Standard input is never
// reopened. Setting *stop ends the input as if it had ended (within poll_ms, also while a
// pipe has nothing to read); a partial last line is then dropped, not handed out.
//
// Limits: a line longer than max_line_bytes is not returned whole: NextLine gives it once
// with too_long set and its text empty, and the rest of it is skipped.
//
// Thread-safety: one thread.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace kizuna::detect {

// Default longest line: Zeek and EVE lines are rarely beyond a few KB.
inline constexpr size_t kDefaultMaxLineBytes = 256 * 1024;

struct FollowOptions {
  // At the end of a file, wait for more instead of ending (not for standard input).
  bool follow = false;
  // When set (non-null and true), the input ends. Must outlive the reader.
  const std::atomic<bool>* stop = nullptr;
  // How often a following reader looks for new data, rotation and *stop.
  int poll_ms = 100;
};

class LineReader {
 public:
  struct Line {
    std::string_view text;  // without "\n" or "\r\n"
    uint64_t number = 0;    // 1-based
    bool too_long = false;
  };

  explicit LineReader(size_t max_line_bytes = kDefaultMaxLineBytes, FollowOptions follow = {});
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Opens `path` ("-" for standard input). NotFound / PermissionDenied / Internal naming it.
  absl::Status Open(const std::string& path);
  // Reads `text` under the name `name` (never followed). REQUIRES: `text` outlives the reader.
  void OpenText(const std::string& name, std::string_view text);

  // Drops the lines handed out so far and reads more input. Returns false at the end of the
  // input (or on a read error, then error() says what happened).
  bool Refill();
  // Returns the next complete line of the block, or false when the block has no more.
  bool NextLine(Line& line);

  // The unread part of the current block (to sniff the format after the first Refill).
  std::string_view Peek() const { return std::string_view(buffer_.get() + begin_, end_ - begin_); }

  // Empty, or why reading stopped early ("unexpected end of gzip input", ...).
  const std::string& error() const { return error_; }
  // Bytes of (decompressed) input read so far.
  uint64_t bytes() const { return bytes_; }
  const std::string& path() const { return path_; }

 private:
  struct Source;  // the file descriptor, gzip state and following

  size_t max_line_bytes_;
  FollowOptions follow_;
  std::string path_;
  std::unique_ptr<Source> source_;
  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0;  // usable bytes of buffer_ (padding follows)
  size_t begin_ = 0;     // first byte not yet handed out
  size_t end_ = 0;       // bytes in the buffer
  uint64_t line_ = 0;
  uint64_t bytes_ = 0;
  bool eof_ = false;
  bool skipping_ = false;  // inside an over-long line
  std::string error_;
};

}  // namespace kizuna::detect
