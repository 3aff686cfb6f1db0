// Kizuna. The after-action report of an exercise: one self-contained HTML page and its JSON.
#pragma once

// AarFigures reads a scoreboard (the JSON of `kizuna exercise score --json`, score.h) and
// derives what the page shows (docs/exercise.md, "After-action report"): headline figures,
// per team a timeline of its attack steps (first to last record) with their detections and
// the times partners received what it shared, the sharing graph between nations (one edge per
// direction with its objectives, those met and those used), and every metric of the
// scoreboard, kept whole under "result".
//
// RenderAar fills the page template (assets/aar.html) with tables written here, escaped, and
// charts drawn in the browser by Apache ECharts, the copy the brief embeds
// (report/assets.h), from the figures embedded as JSON: no network is needed to open the page
// and it has no inline event handlers.
//
//   KZ_ASSIGN_OR_RETURN(boost::json::object aar, AarFigures(result));
//   KZ_ASSIGN_OR_RETURN(std::string html, RenderAar(aar, report::Lang::kEn, now_us));
//
// Thread-safety: stateless.

#include <cstdint>
#include <string>

#include <boost/json.hpp>

#include "absl/status/statusor.h"
#include "kizuna/report/format.h"

namespace kizuna::exercise {

// Largest scoreboard read, in bytes.
inline constexpr size_t kMaxResultBytes = size_t{256} << 20;

// Errors: InvalidArgument naming a member the scoreboard lacks or of the wrong type.
absl::StatusOr<boost::json::object> AarFigures(const boost::json::object& result);

// Errors: InvalidArgument naming what the figures lack.
absl::StatusOr<std::string> RenderAar(const boost::json::object& figures, report::Lang lang,
                                      int64_t generated_us);

}  // namespace kizuna::exercise
