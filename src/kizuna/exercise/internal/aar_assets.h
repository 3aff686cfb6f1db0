// Kizuna. The after-action report's files built into the binary (assets/).
#pragma once

// Thread-safety: constant data.

#include <string_view>

namespace kizuna::exercise_internal {

std::string_view AarTemplate();                        // assets/aar.html
std::string_view AarScript();                          // assets/aar.js
std::string_view AarCatalogue(std::string_view lang);  // assets/<lang>.json; "" if none

}  // namespace kizuna::exercise_internal
