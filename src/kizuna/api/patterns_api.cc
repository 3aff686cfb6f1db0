// Kizuna. POST /api/v1/patterns/validate {"pattern": P}: the pattern engine's own verdict,
// for the publish form's live check.
//
// -> {"valid": true} or {"valid": false, "offset": N, "length": N, "message": "..."}: the
// engine's error (pattern/errors.h) with the byte offset and the length of the token there,
// so the form can underline it. Compiles the pattern as `kizuna import` and TAXII do.
#include <boost/json.hpp>

#include "kizuna/api/answer.h"
#include "kizuna/api/console_endpoints.h"
#include "kizuna/base/strings.h"
#include "kizuna/pattern/errors.h"
#include "kizuna/pattern/lexer.h"
#include "kizuna/pattern/pattern.h"

namespace kizuna::api {
namespace {

// The length of the token that starts at `offset` of `text` (1 when it cannot be lexed
// there, 0 at the end).
size_t TokenLength(std::string_view text, size_t offset) {
  if (offset >= text.size()) return 0;
  absl::StatusOr<std::vector<pattern::Token>> tokens = pattern::Tokenize(text);
  if (tokens.ok()) {
    for (const pattern::Token& t : *tokens) {
      if (t.offset == offset && !t.text.empty()) return t.text.size();
    }
  }
  return 1;
}

}  // namespace

http::Response ConsoleEndpoints::ValidatePattern(const ApiCall& call) {
  call.info.endpoint = "api-pattern";
  boost::json::error_code ec;
  boost::json::value body = boost::json::parse(call.request.body, ec);
  const boost::json::value* p = !ec && body.is_object() ? body.as_object().if_contains("pattern") : nullptr;
  if (p == nullptr || !p->is_string()) return ErrorAnswer(400, "the body must be {\"pattern\": \"...\"}");
  std::string_view text(p->as_string().data(), p->as_string().size());
  absl::StatusOr<std::unique_ptr<const pattern::Pattern>> compiled = pattern::Pattern::Compile(text);
  if (compiled.ok()) return JsonAnswer(R"({"valid":true})");
  const size_t offset = pattern::ErrorOffset(compiled.status()).value_or(0);
  return JsonAnswer(boost::json::serialize(boost::json::object{
      {"valid", false},
      {"offset", offset},
      {"length", TokenLength(text, offset)},
      {"message", std::string(View(compiled.status().message()))}}));
}

}  // namespace kizuna::api
