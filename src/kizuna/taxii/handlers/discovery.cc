// Kizuna. Server Discovery (§4.1) and API Root Information (§4.2).
#include "kizuna/base/json_string.h"
#include "kizuna/base/strings.h"
#include "kizuna/taxii/errors.h"
#include "kizuna/taxii/internal/context.h"
#include "kizuna/taxii/media.h"

namespace kizuna::taxii::taxii_internal {
namespace {

// The base URL clients reach this server at: the configured one, else from the Host header.
std::string BaseUrl(const Context& ctx, const Call& call) {
  if (!ctx.options.public_url.empty()) {
    std::string_view u = ctx.options.public_url;
    while (!u.empty() && u.back() == '/') u.remove_suffix(1);
    return std::string(u);
  }
  std::string_view host = call.http.host.empty() ? std::string_view("localhost") : std::string_view(call.http.host);
  return StrCat(ctx.options.tls ? "https://" : "http://", host);
}

}  // namespace

http::Response Discovery(Context& ctx, const Call& call) {
  absl::StatusOr<std::vector<store::ApiRoot>> roots = ctx.store.ListApiRoots();
  if (!roots.ok()) return ErrorResponse(roots.status());
  std::string base = BaseUrl(ctx, call);
  std::string body = "{\"title\":";
  AppendJsonString(ctx.options.title, body);
  if (!ctx.options.description.empty()) {
    body += ",\"description\":";
    AppendJsonString(ctx.options.description, body);
  }
  if (!ctx.options.contact.empty()) {
    body += ",\"contact\":";
    AppendJsonString(ctx.options.contact, body);
  }
  std::string default_root = ctx.options.default_api_root;
  if (default_root.empty() && !roots->empty()) default_root = roots->front().name;
  if (!default_root.empty()) {
    body += ",\"default\":";
    AppendJsonString(StrCat(base, "/", default_root, "/"), body);
  }
  if (!roots->empty()) {
    body += ",\"api_roots\":[";
    for (size_t i = 0; i < roots->size(); ++i) {
      if (i) body += ',';
      AppendJsonString(StrCat(base, "/", (*roots)[i].name, "/"), body);
    }
    body += ']';
  }
  body += '}';
  return JsonResponse(200, std::move(body));
}

http::Response ApiRootInfo(Context& ctx, const Call& call) {
  std::string body = "{\"title\":";
  AppendJsonString(call.root.title, body);
  if (!call.root.description.empty()) {
    body += ",\"description\":";
    AppendJsonString(call.root.description, body);
  }
  int64_t max = call.root.max_content_length > 0 ? call.root.max_content_length : ctx.options.default_max_content_length;
  StrAppend(body, ",\"versions\":[\"", kTaxiiMediaType, "\"],\"max_content_length\":", max, "}");
  return JsonResponse(200, std::move(body));
}

}  // namespace kizuna::taxii::taxii_internal
