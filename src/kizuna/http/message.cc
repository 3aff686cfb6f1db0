// Kizuna.
#include "kizuna/http/message.h"

#include "kizuna/base/strings.h"

namespace kizuna::http {

std::string_view Request::Path() const {
  std::string_view t = target;
  size_t q = t.find('?');
  return q == std::string_view::npos ? t : t.substr(0, q);
}

std::string_view Request::Query() const {
  std::string_view t = target;
  size_t q = t.find('?');
  return q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
}

bool IsIdentityCoding(std::string_view content_encoding) {
  std::string_view coding = Trim(content_encoding);
  return coding.empty() || EqualsIgnoreCase(coding, "identity");
}

}  // namespace kizuna::http
