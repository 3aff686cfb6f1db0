// Kizuna. Content negotiation for TAXII 2.1 (§1.6.8.1): Accept and Content-Type.
#pragma once

// Thread-safety: stateless.

#include <string_view>

namespace kizuna::taxii {

// Returns true if a response of type application/taxii+json;version=2.1 satisfies the Accept
// header `accept`: absent, */*, application/*, or application/taxii+json with version 2.1 or
// no version, with a non-zero q.
bool AcceptsTaxii(std::string_view accept);

// Returns true if `content_type` is application/taxii+json with version 2.1 or none.
bool IsTaxiiContentType(std::string_view content_type);

// Returns true if the Content-Encoding header `content_encoding` is absent (empty) or says
// "identity": a request body in any other content coding (gzip, ...) is answered 415.
bool IsIdentityCoding(std::string_view content_encoding);

}  // namespace kizuna::taxii
