// Kizuna. Small text helpers shared by the detection module's parsers of lists and maps.
#pragma once

// Thread-safety: stateless.

#include <string>
#include <string_view>

namespace kizuna::detect_internal {

// Returns `s` with ASCII letters lower-cased.
inline std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace kizuna::detect_internal
