// Kizuna. Generated data sets for benchmarks: deterministic for a given seed.
#pragma once

#include <cstdint>
#include <string>

namespace kizuna::bench {

// Returns a STIX bundle of `count` indicator objects (domain, IPv4, URL and SHA-256
// patterns in turn, each about 600 bytes, as a feed would publish them), one object per line.
std::string IndicatorBundle(int64_t count, uint64_t seed);

}  // namespace kizuna::bench
