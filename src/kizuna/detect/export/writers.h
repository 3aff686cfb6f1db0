// Kizuna. The FormatWriter of each sensor format (sensor_format.h says what each expresses).
#pragma once

// Thread-safety: each writer belongs to one thread.

#include <memory>

#include "kizuna/detect/export/sensor_format.h"

namespace kizuna::detect {

std::unique_ptr<FormatWriter> NewZeekIntelWriter(const WriterSettings& settings);
std::unique_ptr<FormatWriter> NewSuricataWriter(const WriterSettings& settings);
std::unique_ptr<FormatWriter> NewRpzWriter(const WriterSettings& settings);
std::unique_ptr<FormatWriter> NewCsvWriter(const WriterSettings& settings);

}  // namespace kizuna::detect
