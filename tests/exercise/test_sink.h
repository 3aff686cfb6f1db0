// Kizuna. A telemetry sink that keeps every file in memory, for the exercise tests.
#pragma once

#include <map>
#include <string>

#include "kizuna/exercise/generator.h"

namespace kizuna::exercise::testing {

class MemorySink : public TelemetrySink {
 public:
  absl::Status Write(std::string_view file, std::string_view bytes) override {
    files[std::string(file)].append(bytes);
    return absl::OkStatus();
  }
  std::map<std::string, std::string> files;
};

}  // namespace kizuna::exercise::testing
