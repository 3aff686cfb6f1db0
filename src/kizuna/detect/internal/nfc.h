// Kizuna. NFC normalisation of telemetry values for LIKE-equivalent suffix lookups.
#pragma once

// The evaluator compares LIKE operands in Normalization Form C (STIX 2.1 §9.6.2). Domain
// suffix lookups stand for `LIKE '%.suffix'`, so a non-ASCII value is normalised the same
// way first: ASCII and invalid UTF-8 are returned unchanged, as the evaluator does.
// Thread-safety: stateless (ICU's NFC instance is shared and thread-safe).

#include <string>
#include <string_view>

namespace kizuna::detect_internal {

// Returns `text` in NFC; the result views `text` or `scratch`.
std::string_view ToNfc(std::string_view text, std::string& scratch);

}  // namespace kizuna::detect_internal
