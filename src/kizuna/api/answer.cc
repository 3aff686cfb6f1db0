// Kizuna.
#include "kizuna/api/answer.h"

#include <boost/json.hpp>

namespace kizuna::api {

http::Response ErrorAnswer(int status, std::string_view description) {
  return JsonAnswer(boost::json::serialize(boost::json::object{
                        {"status", status},
                        {"description", boost::json::string(description.data(), description.size())}}),
                    status);
}

http::Response JsonAnswer(std::string body, int status) {
  http::Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

http::Response Attachment(std::string body, std::string_view content_type, std::string_view file_name) {
  http::Response r;
  r.content_type = std::string(content_type);
  r.body = std::move(body);
  std::string name(file_name);
  for (char& c : name) {
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                       c == '_' || c == '-';
    if (!plain) c = '_';
  }
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "\"");
  return r;
}

void AddSecurityHeaders(http::Response& r, bool api) {
  r.headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  if (api) r.headers.emplace_back("Cache-Control", "no-store");
}

}  // namespace kizuna::api
