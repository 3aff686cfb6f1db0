// Kizuna.
#include "kizuna/api/console_assets.h"

#include <filesystem>
#include <system_error>

#include "kizuna/api/answer.h"
#include "kizuna/base/digest.h"
#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::api {
namespace {

namespace fs = std::filesystem;

std::string_view ContentTypeOf(std::string_view name) {
  struct Type {
    std::string_view extension, type;
  };
  static constexpr Type kTypes[] = {
      {".html", "text/html; charset=utf-8"},   {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},           {".map", "application/json"},
      {".svg", "image/svg+xml"},               {".png", "image/png"},
      {".ico", "image/x-icon"},                {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const Type& t : kTypes) {
    if (name.ends_with(t.extension)) return t.type;
  }
  return "application/octet-stream";
}

bool SafeName(std::string_view name) {
  if (name.empty() || name.front() == '.') return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
  }
  return true;
}

}  // namespace

// Sends browsers asking for "/" to the console; everything else to the handler of "/".
class ConsoleAssets::RootRedirect final : public http::Handler {
 public:
  explicit RootRedirect(http::Handler& root) : root_(root) {}
  std::shared_ptr<const http::Response> Serve(const http::Request& request, http::RequestInfo& info) override {
    if ((request.method == http::Method::kGet || request.method == http::Method::kHead) &&
        request.accept.find("text/html") != std::string::npos) {
      info.endpoint = "console";
      http::Response r;
      r.status = 302;
      r.content_type = "text/plain; charset=utf-8";
      r.body = "the console is at /console/\n";
      r.headers.emplace_back("Location", std::string(kPrefix));
      AddSecurityHeaders(r, false);
      return std::make_shared<const http::Response>(std::move(r));
    }
    return root_.Serve(request, info);
  }
  http::BodyLimit MaxBody(const http::Request& head) override { return root_.MaxBody(head); }
  bool Writes(const http::Request& head) override { return root_.Writes(head); }
  http::Response Error(int status, std::string_view description) override { return root_.Error(status, description); }

 private:
  http::Handler& root_;
};

ConsoleAssets::ConsoleAssets(Private) {}
ConsoleAssets::~ConsoleAssets() = default;

absl::StatusOr<std::unique_ptr<ConsoleAssets>> ConsoleAssets::Load(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(dir) / "index.html", ec)) {
    return absl::NotFoundError(StrCat("the console directory '", dir, "' holds no index.html"));
  }
  auto assets = std::make_unique<ConsoleAssets>(Private{});
  fs::recursive_directory_iterator it(dir, ec), end;
  if (ec) return absl::UnavailableError(StrCat("cannot read the console directory '", dir, "': ", ec.message()));
  for (; it != end; it.increment(ec)) {
    if (ec) return absl::UnavailableError(StrCat("cannot read the console directory '", dir, "': ", ec.message()));
    const std::string name = it->path().filename().string();
    if (!SafeName(name) || it.depth() >= kMaxDepth) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    if (assets->files_.size() == kMaxFiles) {
      return absl::ResourceExhaustedError(StrCat("the console directory '", dir, "' has more than ", kMaxFiles, " files"));
    }
    const uint64_t size = it->file_size(ec);
    if (ec || assets->bytes_ + size > kMaxTotalBytes) {
      return absl::ResourceExhaustedError(
          StrCat("the console directory '", dir, "' holds more than ", kMaxTotalBytes, " bytes"));
    }
    absl::StatusOr<simdjson::padded_string> body = ReadFile(it->path().string(), kMaxTotalBytes - assets->bytes_);
    if (!body.ok()) return Annotate(body.status(), "console: ");
    http::Response full;
    full.body = std::string(std::string_view(*body));
    Sha256Digest d = Sha256(full.body);
    File f;
    f.etag = StrCat("\"", HexEncode(std::string_view(reinterpret_cast<const char*>(d.data()), 16)), "\"");
    full.headers.emplace_back("ETag", f.etag);
    full.headers.emplace_back("Cache-Control", "no-cache");
    AddSecurityHeaders(full, false);
    http::Response not_modified;
    not_modified.status = 304;
    not_modified.headers = full.headers;
    full.content_type = std::string(ContentTypeOf(name));
    assets->bytes_ += full.body.size();
    f.full = std::make_shared<const http::Response>(std::move(full));
    f.not_modified = std::make_shared<const http::Response>(std::move(not_modified));
    assets->files_.emplace(fs::relative(it->path(), dir).generic_string(), std::move(f));
  }
  return assets;
}

absl::Status ConsoleAssets::MountOn(http::Router& router, http::Handler& root) {
  root_ = std::make_unique<RootRedirect>(root);
  KZ_RETURN_IF_ERROR(router.Prefix(std::string(kPrefix), *this));
  return router.Exact("/", *root_);
}

http::Response ConsoleAssets::Error(int status, std::string_view description) {
  http::Response r = ErrorAnswer(status, description);
  AddSecurityHeaders(r, false);
  return r;
}

std::shared_ptr<const http::Response> ConsoleAssets::Serve(const http::Request& request, http::RequestInfo& info) {
  info.endpoint = "console";
  if (request.method != http::Method::kGet && request.method != http::Method::kHead) {
    http::Response r = Error(405, "the console's files allow GET and HEAD");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return std::make_shared<const http::Response>(std::move(r));
  }
  std::string_view path = request.Path().substr(kPrefix.size());
  if (path.empty()) path = "index.html";
  auto it = files_.find(AbslView(path));
  if (it == files_.end() && path.find('.') == std::string_view::npos) it = files_.find("index.html");
  if (it == files_.end()) return std::make_shared<const http::Response>(Error(404, "no such file of the console"));
  const File& f = it->second;
  if (!request.if_none_match.empty() && request.if_none_match.find(f.etag) != std::string::npos) {
    return f.not_modified;
  }
  return f.full;
}

}  // namespace kizuna::api
