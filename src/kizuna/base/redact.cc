// Kizuna.
#include "kizuna/base/redact.h"

namespace kizuna {
namespace {

// One URL: its user information, between "://" and the last '@' of the authority.
std::string RedactOne(std::string_view url) {
  std::string out;
  const size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) {
    const size_t host = scheme + 3;
    const size_t end = std::min(url.find_first_of("/?#", host), url.size());
    const size_t at = url.substr(host, end - host).rfind('@');
    if (at != std::string_view::npos) {
      out.append(url.substr(0, host)).append("***");
      url.remove_prefix(host + at);
    }
  }
  // password=VALUE, in a query or a key=value connection string, up to '&', ' ' or the end.
  for (size_t at = url.find("password="); at != std::string_view::npos; at = url.find("password=")) {
    out.append(url.substr(0, at + 9)).append("***");
    url.remove_prefix(std::min(url.find_first_of("& ", at + 9), url.size()));
  }
  out.append(url);
  return out;
}

}  // namespace

std::string RedactUrl(std::string_view url) {
  std::string out;
  for (size_t start = 0; start <= url.size();) {
    const size_t comma = std::min(url.find(',', start), url.size());
    if (start > 0) out += ',';
    out += RedactOne(url.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace kizuna
