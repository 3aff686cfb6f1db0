// Kizuna. The after-action report's embedded files (aar.cc): its template, chart script and
// message catalogues. ECharts itself is the brief's copy (report/assets.h).
#include "kizuna/base/embed.h"
#include "kizuna/exercise/internal/aar_assets.h"

// KIZUNA_EXERCISE_ASSETS is set by src/kizuna/exercise/CMakeLists.txt.
KZ_EMBED(kizuna_aar_html, KIZUNA_EXERCISE_ASSETS "/aar.html")
KZ_EMBED(kizuna_aar_js, KIZUNA_EXERCISE_ASSETS "/aar.js")
KZ_EMBED(kizuna_aar_en_json, KIZUNA_EXERCISE_ASSETS "/en.json")
KZ_EMBED(kizuna_aar_ja_json, KIZUNA_EXERCISE_ASSETS "/ja.json")

namespace kizuna::exercise_internal {

std::string_view AarTemplate() { return {kizuna_aar_html, kizuna_aar_html_end}; }
std::string_view AarScript() { return {kizuna_aar_js, kizuna_aar_js_end}; }
std::string_view AarCatalogue(std::string_view lang) {
  if (lang == "en") return {kizuna_aar_en_json, kizuna_aar_en_json_end};
  if (lang == "ja") return {kizuna_aar_ja_json, kizuna_aar_ja_json_end};
  return {};
}

}  // namespace kizuna::exercise_internal
