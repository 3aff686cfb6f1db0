// Kizuna. Pattern errors that carry where in the pattern they are.
#pragma once

// Every error about a pattern (lexing, parsing, validation) is an InvalidArgument status
// whose message reads "offset <n>: <reason>: <what>", e.g.
//   offset 13: syntax: expected a value, found ']'
//   offset 27: duplicate-qualifier: WITHIN is applied twice to one observation expression
// The reason is a fixed word tests and callers may match on (README.md lists them). The
// offset is also attached to the status, so a front end can draw a caret under it:
//
//   absl::Status s = ...;
//   if (auto off = ErrorOffset(s)) std::cerr << CaretLines(pattern, *off);
//
// Thread-safety: stateless.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace kizuna::pattern {

// Returns InvalidArgument("offset <offset>: <reason>: <what>") with the offset attached.
absl::Status PatternError(size_t offset, std::string_view reason, std::string_view what);

// Returns the offset attached by PatternError, or nullopt for any other status.
std::optional<size_t> ErrorOffset(const absl::Status& status);

// Returns two lines: the line of `pattern` holding byte `offset`, and under it a caret at
// that character (columns count code points; tabs are kept so the caret lines up). An
// offset at or past the end points just after the last character.
std::string CaretLines(std::string_view pattern, size_t offset);

}  // namespace kizuna::pattern
