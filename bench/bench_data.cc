// Kizuna.
#include "bench_data.h"

#include "kizuna/base/random.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/id.h"

namespace kizuna::bench {

std::string IndicatorBundle(int64_t count, uint64_t seed) {
  SeededRandom random(seed);
  std::string creator = stix::NewId("identity", random);
  std::string out = StrCat("{\"type\": \"bundle\", \"id\": \"", stix::NewId("bundle", random), "\", \"objects\": [\n");
  out.reserve(static_cast<size_t>(count) * 640);
  for (int64_t i = 0; i < count; ++i) {
    uint64_t r = random.Next();
    std::string pattern;
    switch (i % 4) {
      case 0: pattern = StrCat("[domain-name:value = 'h", r % 100000000, ".example-", i % 997, ".com']"); break;
      case 1: pattern = StrCat("[ipv4-addr:value = '", (r >> 8) & 255, ".", (r >> 16) & 255, ".", (r >> 24) & 255, ".", r & 255, "']"); break;
      case 2: pattern = StrCat("[url:value = 'http://h", r % 1000000, ".example.net/path/", i, "']"); break;
      default: pattern = StrCat("[file:hashes.'SHA-256' = '", fmt::format("{:016x}{:016x}{:016x}{:016x}", r, r * 3, r * 5, r * 7), "']"); break;
    }
    StrAppend(out, i ? ",\n" : "", "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"",
              stix::NewId("indicator", random),
              "\", \"created\": \"2026-08-01T10:00:00.000Z\", \"modified\": \"2026-08-01T10:00:00.000Z\","
              " \"created_by_ref\": \"", creator, "\", \"name\": \"Indicator ", i,
              "\", \"description\": \"Seen in a campaign against government networks; shared under the framework.\","
              " \"indicator_types\": [\"malicious-activity\"], \"pattern\": \"", pattern,
              "\", \"pattern_type\": \"stix\", \"valid_from\": \"2026-08-01T10:00:00Z\","
              " \"labels\": [\"family-", i % 50, "\"], \"object_marking_refs\": "
              "[\"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb\"]}");
  }
  out += "\n]}\n";
  return out;
}

}  // namespace kizuna::bench
