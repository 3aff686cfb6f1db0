// Kizuna. The FormatWriter of each sensor format (sensor_format.h says what each expresses).
#pragma once

// Thread-safety: each writer belongs to one thread.

#include <memory>
#include <string>
#include <vector>

#include "kizuna/detect/export/sensor_format.h"

namespace kizuna::detect {

// Returns a list of one file, its text moved in (an initializer list would copy it).
inline std::vector<ExportFile> OneFile(std::string name, std::string&& text) {
  std::vector<ExportFile> files;
  files.push_back({std::move(name), std::move(text)});
  return files;
}

std::unique_ptr<FormatWriter> NewZeekIntelWriter(const WriterSettings& settings);
std::unique_ptr<FormatWriter> NewSuricataWriter(const WriterSettings& settings);
std::unique_ptr<FormatWriter> NewRpzWriter(const WriterSettings& settings);
std::unique_ptr<FormatWriter> NewCsvWriter(const WriterSettings& settings);

}  // namespace kizuna::detect
