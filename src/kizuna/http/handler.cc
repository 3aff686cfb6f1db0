// Kizuna.
#include "kizuna/http/handler.h"

#include "kizuna/base/json_string.h"
#include "kizuna/base/strings.h"

namespace kizuna::http {

BodyLimit Handler::MaxBody(const Request&) { return {}; }

bool Handler::Writes(const Request& head) {
  return head.method == Method::kPost || head.method == Method::kDelete;
}

Response Handler::Error(int status, std::string_view description) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = StrCat("{\"status\":", status, ",\"description\":");
  AppendJsonString(description, r.body);
  r.body += "}";
  return r;
}

}  // namespace kizuna::http
