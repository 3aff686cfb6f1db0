// Kizuna.
#include "kizuna/detect/export/sensor_format.h"

#include "kizuna/detect/export/writers.h"

namespace kizuna::detect {

std::optional<SensorFormat> ParseSensorFormat(std::string_view name) {
  for (SensorFormat f : {SensorFormat::kZeekIntel, SensorFormat::kSuricata, SensorFormat::kRpz,
                         SensorFormat::kCsv}) {
    if (name == SensorFormatName(f)) return f;
  }
  return std::nullopt;
}

std::string_view SensorFormatName(SensorFormat format) {
  switch (format) {
    case SensorFormat::kZeekIntel:
      return "zeek-intel";
    case SensorFormat::kSuricata:
      return "suricata";
    case SensorFormat::kRpz:
      return "rpz";
    case SensorFormat::kCsv:
      return "csv";
  }
  return "";
}

std::unique_ptr<FormatWriter> NewFormatWriter(SensorFormat format, const WriterSettings& settings) {
  switch (format) {
    case SensorFormat::kZeekIntel:
      return NewZeekIntelWriter(settings);
    case SensorFormat::kSuricata:
      return NewSuricataWriter(settings);
    case SensorFormat::kRpz:
      return NewRpzWriter(settings);
    case SensorFormat::kCsv:
      return NewCsvWriter(settings);
  }
  return nullptr;
}

}  // namespace kizuna::detect
