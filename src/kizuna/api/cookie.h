// Kizuna. The web console's session cookie: reading it from a request, writing it in an answer.
#pragma once

// The cookie is `kizuna_session=<id>; Path=/; HttpOnly; Secure; SameSite=Strict`: never
// readable by scripts, never sent over plain HTTP, never sent with a request another site
// starts. No Max-Age: the browser forgets it when it closes, and the server ends it earlier
// (session_store.h).
// Thread-safety: stateless functions.

#include <cstddef>
#include <string>
#include <string_view>

namespace kizuna::api {

inline constexpr std::string_view kSessionCookie = "kizuna_session";
// The most cookies of one Cookie header looked at; the rest are ignored.
inline constexpr size_t kMaxCookies = 64;

// Returns the value of the first cookie named `name` in the Cookie header `header`
// ("a=1; b=2"), or empty when absent (or beyond the first kMaxCookies).
std::string_view CookieValue(std::string_view header, std::string_view name);

// The Set-Cookie value that gives the browser session `id`.
std::string SessionCookieHeader(std::string_view id);
// The Set-Cookie value that makes the browser forget its session cookie.
std::string ClearedSessionCookieHeader();

}  // namespace kizuna::api
