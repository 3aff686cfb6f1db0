// Kizuna. The brief's embedded files (assets.h), included by the assembler at build time.
#include "kizuna/report/assets.h"

#include "kizuna/base/embed.h"

// KIZUNA_REPORT_ASSETS and KIZUNA_ECHARTS_JS are set by src/kizuna/report/CMakeLists.txt.

KZ_EMBED(kizuna_brief_html, KIZUNA_REPORT_ASSETS "/brief.html")
KZ_EMBED(kizuna_charts_js, KIZUNA_REPORT_ASSETS "/charts.js")
KZ_EMBED(kizuna_en_json, KIZUNA_REPORT_ASSETS "/en.json")
KZ_EMBED(kizuna_ja_json, KIZUNA_REPORT_ASSETS "/ja.json")
KZ_EMBED(kizuna_echarts_js, KIZUNA_ECHARTS_JS)

namespace kizuna::report {

std::string_view BriefTemplate() { return {kizuna_brief_html, kizuna_brief_html_end}; }
std::string_view ChartsScript() { return {kizuna_charts_js, kizuna_charts_js_end}; }
std::string_view EchartsScript() { return {kizuna_echarts_js, kizuna_echarts_js_end}; }
std::string_view CatalogueText(std::string_view lang) {
  if (lang == "en") return {kizuna_en_json, kizuna_en_json_end};
  if (lang == "ja") return {kizuna_ja_json, kizuna_ja_json_end};
  return {};
}

}  // namespace kizuna::report
