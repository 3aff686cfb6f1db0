// Kizuna. Writing JSON string literals.
#pragma once

// Thread-safety: stateless.

#include <string>
#include <string_view>

namespace kizuna {

// Appends `text` (UTF-8) to `out` as a JSON string literal: `"` and `\` escaped, control
// characters as \b \f \n \r \t or \u00xx, everything else as is. This is also the escaping
// RFC 8785 (JCS) requires.
void AppendJsonString(std::string_view text, std::string& out);

// Returns `text` as a JSON string literal.
std::string JsonString(std::string_view text);

}  // namespace kizuna
