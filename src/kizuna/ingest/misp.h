// Kizuna. MISP events imported: converted to STIX (misp/to_stix.h), then the one path in.
#pragma once

// ImportMisp converts one MISP document (an event or an event list) and imports the STIX
// objects with the Importer, so they are checked, authorised, added and counted like any
// imported object; the conversion's notes (what was kept as custom or left out, by name)
// come back in `result`. Objects are created by the importing organisation
// (created_by_ref); the MISP creator organisation stays in x_misp_event.
// Thread-safety: as the Importer (one thread per importer).

#include <string_view>

#include "absl/status/status.h"
#include "kizuna/ingest/importer.h"
#include "kizuna/misp/to_stix.h"

namespace kizuna::ingest {

// Converts `text`, the MISP document `name` (a file name), and imports its objects with
// `importer`, counting `text` as one file of the import. Returns the conversion's counts and
// notes in `result` when not null (json_lines is left empty). Errors: InvalidArgument when
// `text` is no MISP document (naming `name`), and the store's and the importer's.
absl::Status ImportMisp(Importer& importer, std::string_view name, std::string_view text,
                        const misp::ConvertOptions& options, misp::Conversion* result = nullptr);

}  // namespace kizuna::ingest
