// Kizuna. Numbers, dates, changes and durations per language.
#include "kizuna/report/format.h"

#include <cstdlib>

#include "kizuna/base/strings.h"
#include "kizuna/report/period.h"

namespace kizuna::report {
namespace {

constexpr std::string_view kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                        "July",    "August",   "September", "October", "November", "December"};

}  // namespace

std::string_view LangCode(Lang lang) { return lang == Lang::kJa ? "ja" : "en"; }

std::string FormatCount(int64_t n, Lang) {
  std::string digits = StrCat(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? StrCat("-", out) : out;
}

std::string FormatDate(int64_t us, Lang lang) { return FormatDay(DayText(us), lang); }

std::string FormatDay(std::string_view day, Lang lang) {
  absl::StatusOr<int64_t> us = ParseDay(day, "day");
  if (!us.ok()) return std::string(day);
  int64_t y;
  unsigned m, d;
  CivilFromDays(*us / kMicrosPerDay, y, m, d);
  if (lang == Lang::kJa) return StrCat(y, "年", m, "月", d, "日");
  return StrCat(d, " ", kMonths[m - 1], " ", y);
}

std::string FormatChange(int64_t current, int64_t previous, Lang lang) {
  if (previous == 0) return current == 0 ? "—" : (lang == Lang::kJa ? "新規" : "new");
  int64_t percent = (current - previous) * 100 / previous;
  return StrCat(percent > 0 ? "+" : "", percent, "%");
}

std::string FormatDuration(int64_t seconds, Lang lang) {
  int64_t d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60;
  bool ja = lang == Lang::kJa;
  if (d > 0) return ja ? StrCat(d, "日", h, "時間") : StrCat(d, " d ", h, " h");
  if (h > 0) return ja ? StrCat(h, "時間", m, "分") : StrCat(h, " h ", m, " min");
  if (m > 0) return ja ? StrCat(m, "分") : StrCat(m, " min");
  return ja ? StrCat(seconds, "秒") : StrCat(seconds, " s");
}

}  // namespace kizuna::report
