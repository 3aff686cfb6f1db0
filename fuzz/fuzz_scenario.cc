// Kizuna. Fuzz target for the exercise scenario reader: YAML in, a Scenario or an error out.
//
// For every input that parses, the target also derives the implied indicators (patterns and
// the bundle) and checks, trapping on failure, that an error names the file ("f.yaml:").
// The telemetry generator is not run: a valid scenario may ask for billions of records.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/strings/match.h"
#include "kizuna/exercise/indicators.h"
#include "kizuna/exercise/scenario_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto scenario = kizuna::exercise::ParseScenario(text, "f.yaml");
  if (!scenario.ok()) {
    if (!absl::StartsWith(scenario.status().message(), "f.yaml:")) __builtin_trap();
    return 0;
  }
  for (const auto* step : scenario->Steps()) kizuna::exercise::StepPatterns(*scenario, *step);
  if (kizuna::exercise::IndicatorBundle(*scenario, {}, 0).empty()) __builtin_trap();
  return 0;
}
