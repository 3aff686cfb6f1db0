// Kizuna. A block of whole lines of one input, cut by one thread and parsed by another.
#pragma once

// TelemetryReader::NextBlock copies the next lines of its input into a LineBlock; a
// LineParser (reader.h) on any thread turns the block into records. Copying whole lines out
// of the input buffer is what lets several threads parse one input: the cutting thread only
// finds line ends (memchr) and copies, the parse and the matching run in parallel.
//
// Layout: `text` holds the lines, each ending in '\n' ("\r\n" and over-long lines already
// dealt with), then simdjson::SIMDJSON_PADDING zero bytes, so a JSON line may be parsed in
// place. Line k of the block is line first_line + k of the input; it ends (its '\n' included)
// at ends[k], found while cutting, so the parser need not search for it again. An over-long
// line is kept as an empty line and listed in too_long.
//
// Thread-safety: a block belongs to one thread at a time.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kizuna/detect/record.h"

namespace kizuna::detect {

// What a format carries from line to line (Zeek TSV: the header in force). Immutable once a
// block points to it; a change makes a new one.
struct BlockState {
  virtual ~BlockState() = default;
};

struct LineBlock {
  std::string text;         // the lines, then padding
  size_t size = 0;          // bytes of lines in text
  uint64_t first_line = 0;  // number of the first line (1-based)
  uint64_t lines = 0;
  std::vector<size_t> ends;                 // per line: the offset in text just past its '\n'
  std::vector<uint64_t> too_long;           // numbers of over-long lines, ascending
  std::vector<Malformed> malformed;         // problems found while cutting (Zeek headers)
  uint64_t bytes = 0;                       // input bytes read since the previous block
  uint64_t sequence = 0;                    // 0, 1, 2... in the order the input's blocks were cut
  std::shared_ptr<const BlockState> state;  // the format's state for these lines, or null

  void Clear() {
    text.clear();
    size = 0;
    first_line = 0;
    lines = 0;
    ends.clear();
    too_long.clear();
    malformed.clear();
    bytes = 0;
    state.reset();
  }
  void Append(std::string_view line) {
    text.append(line);
    text.push_back('\n');
    ends.push_back(text.size());
    ++lines;
  }
  // Appends `run`, whole lines each ending in '\n' whose ends were already pushed onto
  // `ends` (offsets counted as if the run were in text) and counted in `lines`.
  void AppendLines(std::string_view run) { text.append(run); }
};

}  // namespace kizuna::detect
