// Kizuna. Which client a connection or request comes from, for limits kept per client.
#pragma once

// Limits that count per client (failed logins, open connections) must not count per TCP
// connection: a client opens as many connections as it likes, each from a new port. They
// count per address instead, and per /64 for IPv6, since one host (one customer of an ISP)
// usually holds a whole /64 and can use any of its 2^64 addresses.
//
//   ClientKey("198.51.100.7:52114")        == "198.51.100.7"
//   ClientKey("[2001:db8:1:2:3:4:5:6]:443") == "2001:db8:1:2::/64"
//   ClientKey("[::ffff:192.0.2.1]:443")    == "192.0.2.1"     (IPv4-mapped)
//
// Thread-safety: stateless.

#include <string>
#include <string_view>

namespace kizuna::http {

// Returns the client key of `remote`: an IPv4 address, or an IPv6 address bracketed with a
// port ("[addr]:port") or bare, each with an optional ":port" for IPv4. IPv4 addresses (also
// IPv4-mapped IPv6 ones) give the address; IPv6 addresses their /64 prefix ("a:b:c:d::/64").
// Text that is no address (e.g. "unknown") is returned as it is, so such clients share one
// key.
std::string ClientKey(std::string_view remote);

}  // namespace kizuna::http
