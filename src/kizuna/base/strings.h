// Kizuna. String building that works with std::string_view and Abseil types alike.
#pragma once

// Debian 12's Abseil is built with its own absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW
// is 0), so absl::StrCat does not take std::string_view. Kizuna builds strings with fmt
// instead: kizuna::StrCat concatenates anything fmt can format, and the formatters below let
// absl::string_view and absl::Status appear in fmt::format directly. Use View() to turn an
// absl::string_view (such as Status::message()) into a std::string_view.
//
//   return absl::InvalidArgumentError(StrCat(path, ":", line, ": ", View(status.message())));
//
// Thread-safety: stateless.

#include <fmt/format.h>

#include <iterator>
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace kizuna {
namespace strings_internal {

// Appends the "{}" text of `v`: text and integers directly (fmt's iterator interface costs
// more than the copy itself, and strings are built on every request), the rest through fmt.
template <typename T>
void AppendOne(std::string& out, const T& v) {
  if constexpr (std::is_same_v<T, absl::string_view>) {
    out.append(v.data(), v.size());
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    out.append(std::string_view(v));
  } else if constexpr (std::is_same_v<T, char>) {
    out.push_back(v);
  } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    fmt::format_int text(v);
    out.append(text.data(), text.size());
  } else {
    fmt::format_to(std::back_inserter(out), "{}", v);
  }
}

}  // namespace strings_internal

// Returns the text of every argument, formatted as with "{}", one after the other.
template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  (strings_internal::AppendOne(out, args), ...);
  return out;
}

// Appends the text of every argument to `out`.
template <typename... Args>
void StrAppend(std::string& out, const Args&... args) {
  (strings_internal::AppendOne(out, args), ...);
}

inline std::string_view View(absl::string_view s) { return std::string_view(s.data(), s.size()); }
inline absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Abseil's ASCII helpers on std::string_view: `s` without leading and trailing ASCII
// whitespace; whether `a` and `b` are equal ignoring ASCII case.
inline std::string_view Trim(std::string_view s) { return View(absl::StripAsciiWhitespace(AbslView(s))); }
inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return absl::EqualsIgnoreCase(AbslView(a), AbslView(b));
}

// Returns a status of the same code whose message is `prefix` followed by the original one.
inline absl::Status Annotate(const absl::Status& status, std::string_view prefix) {
  return absl::Status(status.code(), StrCat(prefix, View(status.message())));
}

}  // namespace kizuna

template <>
struct fmt::formatter<absl::string_view> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(absl::string_view s, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(std::string_view(s.data(), s.size()), ctx);
  }
};

template <>
struct fmt::formatter<absl::Status> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(const absl::Status& s, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(s.ToString(), ctx);
  }
};
