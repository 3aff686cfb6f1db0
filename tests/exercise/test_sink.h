// Kizuna. A telemetry sink that keeps every file in memory, for the exercise tests.
#pragma once

#include <map>
#include <string>

#include "kizuna/base/status.h"
#include "kizuna/exercise/generator.h"
#include "kizuna/exercise/ground_truth.h"
#include "kizuna/exercise/scenario_parser.h"

namespace kizuna::exercise::testing {

class MemorySink : public TelemetrySink {
 public:
  absl::Status Write(std::string_view file, std::string_view bytes) override {
    files[std::string(file)].append(bytes);
    return absl::OkStatus();
  }
  std::map<std::string, std::string> files;
};

// A scenario parsed from `yaml`, its telemetry generated into `sink` (Zeek TSV only), and
// its ground truth.
struct Generated {
  Scenario scenario;
  MemorySink sink;
  GroundTruth truth;
};

inline absl::Status GenerateZeek(const std::string& yaml, Generated& out) {
  KZ_ASSIGN_OR_RETURN(out.scenario, ParseScenario(yaml, "s.yaml"));
  GenerateOptions options;
  options.eve = false;
  KZ_RETURN_IF_ERROR(Generate(out.scenario, options, out.sink).status());
  KZ_ASSIGN_OR_RETURN(out.truth, GroundTruth::Parse(out.sink.files.at("truth.tsv"), "truth.tsv"));
  return absl::OkStatus();
}

}  // namespace kizuna::exercise::testing
