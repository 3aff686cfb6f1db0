// Kizuna. The files the brief embeds, built into the binary: the page template, the message
// catalogues, the chart script and Apache ECharts.
#pragma once

// The build embeds src/kizuna/report/assets/ (brief.html, charts.js, en.json, ja.json) and
// web/node_modules/echarts/dist/echarts.min.js (installed from the npm registry by `npm ci`
// against web/package-lock.json: scripts/install-deps, or the build when it is missing), so a
// brief needs nothing at run time and the page it writes opens with no network.
// Thread-safety: constant data.

#include <string_view>

namespace kizuna::report {

std::string_view BriefTemplate();   // assets/brief.html
std::string_view ChartsScript();    // assets/charts.js
std::string_view EchartsScript();   // echarts.min.js
std::string_view CatalogueText(std::string_view lang);  // assets/<lang>.json; "" if none

}  // namespace kizuna::report
