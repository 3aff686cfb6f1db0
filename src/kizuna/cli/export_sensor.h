// Kizuna. `kizuna export --format zeek-intel|suricata|rpz|csv`: the sensor exports
// (detect/export/sensor_export.h), shared by export.cc.
#pragma once

// Thread-safety: single-threaded, used only by main().

#include <string>
#include <vector>

#include "kizuna/cli/command.h"
#include "kizuna/identity/principal.h"

namespace CLI {
class App;
}
namespace kizuna::store {
class Database;
}

namespace kizuna::cli {

struct SensorExportFlags {
  std::string output;  // file (zeek-intel, rpz, csv; default stdout) or folder (suricata)
  bool json = false;   // the summary as JSON on stderr
  std::vector<std::string> allowlists;
  bool no_stored_allowlists = false;
  std::string source = "kizuna";
  std::string link_base;
  std::string rpz_origin = "rpz.kizuna.";
};

// Adds the flags above to `cmd`.
void AddSensorExportFlags(CLI::App& cmd, SensorExportFlags& flags);

// Writes the sensor export `format` of `collection` as `principal` may see it, prints the
// summary on stderr and returns the exit code.
int RunSensorExport(const GlobalOptions& global, const SensorExportFlags& flags,
                    std::string_view format, store::Database& db,
                    const store::Collection& collection, const identity::Principal& principal);

}  // namespace kizuna::cli
