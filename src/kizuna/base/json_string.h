// Kizuna. Writing JSON string literals.
#pragma once

// Thread-safety: stateless.

#include <string>
#include <string_view>

namespace kizuna {

// Appends `text` to `out` as a JSON string literal: `"` and `\` escaped, control characters
// as \b \f \n \r \t or \u00xx, everything else as is. This is also the escaping RFC 8785
// (JCS) requires. Bytes of `text` that are not well-formed UTF-8 (RFC 3629: stray
// continuation bytes, overlong forms, surrogates, beyond U+10FFFF, cut sequences) are written
// as U+FFFD, one per byte, so the result is valid JSON text whatever a client sent; valid
// UTF-8 is written unchanged.
void AppendJsonString(std::string_view text, std::string& out);

// Returns `text` as a JSON string literal.
std::string JsonString(std::string_view text);

}  // namespace kizuna
