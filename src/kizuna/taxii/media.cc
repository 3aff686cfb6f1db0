// Kizuna.
#include "kizuna/taxii/media.h"

#include <cctype>
#include <string>

#include "kizuna/base/strings.h"

namespace kizuna::taxii {
namespace {

// One media type or range with the parameters Kizuna looks at.
struct MediaType {
  std::string_view type;     // e.g. "application/taxii+json"
  std::string_view version;  // the version parameter, without quotes; empty if absent
  bool zero_q = false;       // q=0: explicitly not acceptable
};

MediaType ParseMediaType(std::string_view text) {
  MediaType m;
  size_t semi = text.find(';');
  m.type = Trim(text.substr(0, semi));
  while (semi != std::string_view::npos) {
    text = text.substr(semi + 1);
    semi = text.find(';');
    std::string_view param = Trim(text.substr(0, semi));
    size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = Trim(param.substr(0, eq));
    std::string_view value = Trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (EqualsIgnoreCase(name, "version")) m.version = value;
    if (EqualsIgnoreCase(name, "q")) m.zero_q = value.find_first_not_of("0.") == std::string_view::npos;
  }
  return m;
}

bool IsTaxii21(const MediaType& m) {
  return EqualsIgnoreCase(m.type, "application/taxii+json") && (m.version.empty() || m.version == "2.1");
}

}  // namespace

bool AcceptsTaxii(std::string_view accept) {
  if (Trim(accept).empty()) return true;
  while (!accept.empty()) {
    size_t comma = accept.find(',');
    MediaType m = ParseMediaType(accept.substr(0, comma));
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    if (m.zero_q) continue;
    if (m.type == "*/*" || EqualsIgnoreCase(m.type, "application/*") || IsTaxii21(m)) return true;
  }
  return false;
}

bool IsTaxiiContentType(std::string_view content_type) {
  return IsTaxii21(ParseMediaType(content_type));
}

}  // namespace kizuna::taxii
