// Kizuna. Content negotiation for TAXII 2.1 (§1.6.8.1): Accept and Content-Type.
#pragma once

// Thread-safety: stateless.

#include <string_view>

namespace kizuna::taxii {

// The media types of TAXII 2.1 answers and of the STIX objects they carry.
inline constexpr std::string_view kTaxiiMediaType = "application/taxii+json;version=2.1";
inline constexpr std::string_view kStix21MediaType = "application/stix+json;version=2.1";
inline constexpr std::string_view kStix20MediaType = "application/stix+json;version=2.0";

// Returns true if a response of type application/taxii+json;version=2.1 satisfies the Accept
// header `accept`: absent, */*, application/*, or application/taxii+json with version 2.1 or
// no version, with a non-zero q.
bool AcceptsTaxii(std::string_view accept);

// Returns true if `content_type` is application/taxii+json with version 2.1 or none.
bool IsTaxiiContentType(std::string_view content_type);

}  // namespace kizuna::taxii
