// Kizuna.
#include "kizuna/http/router.h"

#include <algorithm>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::http {

// What answers a path nothing is mounted for.
class Router::NotFound : public Handler {
 public:
  std::shared_ptr<const Response> Serve(const Request&, RequestInfo&) override {
    return std::make_shared<const Response>(Error(404, "no such resource"));
  }
};

namespace {

// Content-Encoding text quoted in a 415 at most.
constexpr size_t kMaxQuotedCoding = 64;

absl::Status CheckPath(std::string_view path, std::string_view what) {
  if (path.empty() || path.front() != '/' || path.find('?') != std::string_view::npos) {
    return absl::InvalidArgumentError(
        StrCat(what, " '", path, "' must start with '/' and hold no '?'"));
  }
  return absl::OkStatus();
}

}  // namespace

Router::Router() : not_found_(std::make_unique<NotFound>()) {}

Router::~Router() = default;

absl::Status Router::Exact(std::string path, Handler& handler) {
  KZ_RETURN_IF_ERROR(CheckPath(path, "a mounted path"));
  if (!exact_.emplace(path, &handler).second) {
    return absl::AlreadyExistsError(StrCat("the path '", path, "' is mounted already"));
  }
  mounts_.push_back(std::move(path));
  return absl::OkStatus();
}

absl::Status Router::Prefix(std::string prefix, Handler& handler) {
  KZ_RETURN_IF_ERROR(CheckPath(prefix, "a mounted prefix"));
  if (prefix.size() < 2 || prefix.back() != '/') {
    return absl::InvalidArgumentError(
        StrCat("a mounted prefix ('", prefix, "') must end with '/' and name a path"));
  }
  for (const auto& [mounted, unused] : prefixes_) {
    if (mounted == prefix)
      return absl::AlreadyExistsError(StrCat("the prefix '", prefix, "' is mounted already"));
  }
  mounts_.push_back(prefix);
  prefixes_.emplace_back(std::move(prefix), &handler);
  std::stable_sort(prefixes_.begin(), prefixes_.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  return absl::OkStatus();
}

void Router::Default(Handler& handler) { default_ = &handler; }

Handler& Router::Find(std::string_view path) const {
  if (auto it = exact_.find(AbslView(path)); it != exact_.end()) return *it->second;
  for (const auto& [prefix, handler] : prefixes_) {
    if (path.starts_with(prefix)) return *handler;
  }
  return Fallback();
}

Handler& Router::Fallback() const { return default_ != nullptr ? *default_ : *not_found_; }

std::vector<std::string> Router::Mounts() const { return mounts_; }

std::shared_ptr<const Response> Router::Serve(const Request& request, RequestInfo& info) const {
  return Dispatch(Find(request.Path()), request, info);
}

std::shared_ptr<const Response> Dispatch(Handler& handler, const Request& request,
                                         RequestInfo& info) {
  if (!IsIdentityCoding(request.content_encoding)) {
    Response refused = handler.Error(
        415, StrCat("Content-Encoding '",
                    std::string_view(request.content_encoding).substr(0, kMaxQuotedCoding),
                    "' is not supported: send the request body without a content coding"));
    refused.headers.emplace_back("Accept-Encoding", "identity");
    return std::make_shared<const Response>(std::move(refused));
  }
  std::shared_ptr<const Response> answer = handler.Serve(request, info);
  if (request.method != Method::kHead) return answer;
  // The GET's header, without its body.
  return std::make_shared<const Response>(
      Response{answer->status,
               answer->content_type,
               answer->headers,
               {},
               answer->head_content_length.value_or(answer->body.size())});
}

}  // namespace kizuna::http
