// Kizuna. The checks of a parsed scenario that span items: ids, references, addresses.
#pragma once

// Thread-safety: stateless.

#include "absl/status/status.h"
#include "kizuna/exercise/scenario.h"

namespace kizuna::exercise_internal {

// Returns OK, or InvalidArgument "file:line: path: what" for the first problem: a duplicate
// id, a reference to an unknown team, actor, step or host, a nation that is not ISO 3166-1
// alpha-3, an unknown TLP name, an address that is not IPv4, a time beyond the duration.
absl::Status CheckScenario(const exercise::Scenario& s);

// Parses dotted-quad IPv4 text; returns false when it is not one.
bool ParseIpv4(std::string_view text, uint32_t& out);

// Parses IPv4 CIDR text ("10.0.0.0/8"; a bare address is a /32) into base and mask.
bool ParseCidr(std::string_view text, uint32_t& base, uint32_t& mask);

// Returns true when `ip` is inside the `network` CIDR of some team of `s`.
bool InTeamNetwork(const exercise::Scenario& s, uint32_t ip);

}  // namespace kizuna::exercise_internal
