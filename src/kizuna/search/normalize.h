// Kizuna. The one normal form of values in the search index, for what is indexed and what
// is asked alike.
#pragma once

// NormalizeValue gives every value one form, so that "EVIL.example.", "evil.example" and
// "evil.EXAMPLE" find each other:
//   - surrounding ASCII white space is dropped;
//   - an IPv4 or IPv6 address, or a CIDR block, takes its canonical text (RFC 5952 for IPv6:
//     "2001:DB8:0:0::1" becomes "2001:db8::1"); a block drops its host bits and a block of one
//     address is that address ("10.0.0.1/32" becomes "10.0.0.1");
//   - a URL ("scheme://...") gets its scheme and host in lower case, the host without a
//     trailing dot (an IPv6 literal canonical), the scheme's default port dropped (http 80,
//     https 443, ftp 21), "/" for an empty path and no fragment; the path and query keep
//     their case;
//   - anything else is in ASCII lower case, without one trailing dot when it has no white space
//     (a domain name written absolute).
//
//   NormalizeValue(" HTTP://Evil.Example.:80/A?b#c ") == "http://evil.example/A?b"
//
// Thread-safety: stateless.

#include <optional>
#include <string>
#include <string_view>

#include "kizuna/store/search_index.h"

namespace kizuna::search {

// Returns the normal form of `text` (see above).
std::string NormalizeValue(std::string_view text);

// Returns the block `text` names when it is an IPv4 or IPv6 address or CIDR block (host bits
// cleared, `path` and `kind` left empty), else nullopt.
std::optional<store::IndexedRange> ParseBlock(std::string_view text);

}  // namespace kizuna::search
