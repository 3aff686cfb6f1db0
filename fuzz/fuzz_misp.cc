// Kizuna. Fuzz target: MISP documents through the conversion to STIX (as `kizuna import
// --format misp` runs it), the STIX checks of what it wrote, and the way back to MISP events
// (`kizuna export --format misp`). Any input must end in objects or an error, never a crash,
// a hang or an out-of-bounds read.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kizuna/misp/to_misp.h"
#include "kizuna/misp/to_stix.h"
#include "kizuna/stix/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kizuna::misp::ConvertOptions options;
  options.created_by_ref = "identity--00000000-0000-4000-8000-000000000001";
  options.origin = "fuzz";
  absl::StatusOr<kizuna::misp::Conversion> c =
      kizuna::misp::ConvertMisp(std::string_view(reinterpret_cast<const char*>(data), size), options);
  if (!c.ok()) return 0;
  static kizuna::stix::ObjectParser parser;
  kizuna::misp::EventWriter writer({"6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5aee", "fuzz", 0});
  std::string_view lines = c->json_lines;
  while (!lines.empty()) {
    size_t end = lines.find('\n');
    std::string_view line = lines.substr(0, end);
    (void)parser.Parse(line, kizuna::stix::Padding::kAbsent);
    (void)writer.Add(line);
    lines.remove_prefix(end == std::string_view::npos ? lines.size() : end + 1);
  }
  (void)writer.Finish();
  return 0;
}
