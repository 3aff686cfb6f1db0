// Kizuna. The STIX pattern lexer: text in, tokens out.
#pragma once

// Splits a pattern into tokens (token.h), skipping whitespace (every Unicode White_Space
// character the STIX grammar lists) and /* */ and // comments. Literal contents are checked
// only for shape here (a string's escapes, a closing quote); whether h'..' holds an even
// number of hex digits, b'..' valid base64 or t'..' a real instant is the validator's job,
// so those errors carry their own named reasons.
//
//   KZ_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize("[file:name = 'a']"));
//
// Thread-safety: stateless; tokens view into the text, which must outlive them.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/pattern/token.h"

namespace kizuna::pattern {

// Returns every token of `text` followed by one kEnd token. On failure returns a
// PatternError (errors.h) with reason "syntax" at the offending byte: an unknown
// character, invalid UTF-8, an unterminated string or comment, a bad escape.
// REQUIRES: text.size() < 4 GiB (callers enforce PatternLimits::max_pattern_bytes first).
absl::StatusOr<std::vector<Token>> Tokenize(std::string_view text);

// Returns the value of string token text `'...'`: the quotes removed and the two escapes
// (backslash-quote, backslash-backslash) undone. REQUIRES: `token_text` came from a kString token.
std::string UnescapeString(std::string_view token_text);

}  // namespace kizuna::pattern
