// Kizuna.
#include "kizuna/api/cookie.h"

#include "kizuna/base/strings.h"

namespace kizuna::api {
namespace {

constexpr std::string_view kAttributes = "; Path=/; HttpOnly; Secure; SameSite=Strict";

}  // namespace

std::string_view CookieValue(std::string_view header, std::string_view name) {
  for (size_t seen = 0; !header.empty() && seen < kMaxCookies; ++seen) {
    size_t semi = header.find(';');
    std::string_view pair = Trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos || Trim(pair.substr(0, eq)) != name) continue;
    std::string_view value = Trim(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return value;
  }
  return {};
}

std::string SessionCookieHeader(std::string_view id) { return StrCat(kSessionCookie, "=", id, kAttributes); }

std::string ClearedSessionCookieHeader() {
  return StrCat(kSessionCookie, "=", kAttributes, "; Max-Age=0");
}

}  // namespace kizuna::api
