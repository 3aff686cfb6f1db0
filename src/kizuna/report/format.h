// Kizuna. Numbers, dates, changes and durations as each language of the brief writes them.
#pragma once

// English: "12,345", "30 June 2026", "+12%", "1 d 4 h". Japanese: "12,345", "2026年6月30日",
// "+12%", "1日4時間". A change against a previous value of 0 is "new" / "新規" (or "—" when
// both are 0).
// Thread-safety: stateless.

#include <cstdint>
#include <string>
#include <string_view>

namespace kizuna::report {

enum class Lang : uint8_t { kEn, kJa };

// "en" or "ja".
std::string_view LangCode(Lang lang);

std::string FormatCount(int64_t n, Lang lang);
// The day of `us` (UTC).
std::string FormatDate(int64_t us, Lang lang);
// The day named by "YYYY-MM-DD" (returned unchanged when malformed).
std::string FormatDay(std::string_view day, Lang lang);
std::string FormatChange(int64_t current, int64_t previous, Lang lang);
std::string FormatDuration(int64_t seconds, Lang lang);

}  // namespace kizuna::report
