// Kizuna. A handler for transport and router tests: answers with its name and what it saw.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "kizuna/base/strings.h"
#include "kizuna/http/handler.h"

namespace kizuna::http {

class NamedHandler : public Handler {
 public:
  explicit NamedHandler(std::string name, uint64_t max_body = kDefaultMaxBodyBytes)
      : name_(std::move(name)), max_body_(max_body) {}

  // Answers 200 text/plain "<name> <path> <body length>" (HEAD is seen as itself).
  std::shared_ptr<const Response> Serve(const Request& request, RequestInfo& info) override {
    ++served_;
    info.endpoint = "named";
    Response r;
    r.content_type = "text/plain";
    r.body = StrCat(name_, " ", request.Path(), " ", request.body.size());
    return std::make_shared<const Response>(std::move(r));
  }
  BodyLimit MaxBody(const Request&) override { return {max_body_, "the test limit"}; }
  // Errors in a format of its own, to tell whose they are.
  Response Error(int status, std::string_view description) override {
    Response r;
    r.status = status;
    r.content_type = "text/plain";
    r.body = StrCat(name_, " error: ", description);
    return r;
  }

  int served() const { return served_; }

 private:
  const std::string name_;
  const uint64_t max_body_;
  std::atomic<int> served_{0};
};

}  // namespace kizuna::http
