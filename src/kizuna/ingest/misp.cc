// Kizuna.
#include "kizuna/ingest/misp.h"

#include "kizuna/base/status.h"

namespace kizuna::ingest {

absl::Status ImportMisp(Importer& importer, std::string_view name, std::string_view text,
                        const misp::ConvertOptions& options, misp::Conversion* result) {
  misp::ConvertOptions named = options;
  named.origin = std::string(name);
  KZ_ASSIGN_OR_RETURN(misp::Conversion conversion, misp::ConvertMisp(text, named));
  importer.CountFile(text.size());
  if (!conversion.json_lines.empty()) {
    KZ_RETURN_IF_ERROR(importer.ImportText(name, conversion.json_lines, stix::Padding::kAbsent));
  }
  if (result != nullptr) {
    conversion.json_lines.clear();
    *result = std::move(conversion);
  }
  return absl::OkStatus();
}

}  // namespace kizuna::ingest
