// Kizuna. The brief as one self-contained HTML page, in English or Japanese.
#pragma once

// RenderBrief fills the one template (assets/brief.html) from the figures (figures.h) and the
// language's message catalogue (assets/en.json, ja.json): tables are written here, escaped;
// charts are drawn in the browser by Apache ECharts from the figures, embedded in the page as
// JSON with the chart script and ECharts itself, so the page opens with no network. Print
// styles put the TLP banner at the top and bottom of every page and number the pages (CSS
// @page margin boxes), for the PDF (pdf.h).
//
//   KZ_ASSIGN_OR_RETURN(std::string html, RenderBrief(figures, Lang::kJa, now_us));
//
// Thread-safety: stateless.

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "absl/status/statusor.h"
#include "kizuna/report/format.h"

namespace kizuna::report {

// Returns `lang` for "en" or "ja"; InvalidArgument naming --lang otherwise.
absl::StatusOr<Lang> ParseLang(std::string_view text);

// Returns text with &, <, >, " and ' escaped for HTML.
std::string EscapeHtml(std::string_view text);

// Returns the page. `generated_us` is printed as the day it was prepared. Errors:
// InvalidArgument when the figures lack a member the page shows, or the template names a
// placeholder or message that does not exist (naming it).
absl::StatusOr<std::string> RenderBrief(const boost::json::object& figures, Lang lang, int64_t generated_us);

}  // namespace kizuna::report
