// Kizuna. The web console's files, served under /console/ from memory.
#pragma once

// At start-up the node reads the console's build output (index.html, app.js, app.css, ...:
// web/, built into ${PROJECT_BINARY_DIR}/console) from one directory into memory, and serves
// it under /console/:
//   - GET /console/ and /console/index.html: index.html; a path without a file extension that
//     names no file (a page of the console, e.g. /console/objects) also gets index.html;
//   - every file with its content type, a strong ETag (SHA-256) and Cache-Control: no-cache,
//     so a browser revalidates and gets 304 when it has the file already;
//   - the security headers of answer.h on every answer (a CSP without inline scripts).
// GET / from a browser (Accept naming text/html) is redirected to /console/ (RootRedirect);
// other requests for / go to the handler that served them before (TAXII).
// Limits: at most kMaxFiles files of at most kMaxTotalBytes together, at most kMaxDepth
// directories deep; names of [A-Za-z0-9._-] only (others are skipped), no dot files. Files
// are read with base/file.h (a gzip file is served decompressed).
//
//   KZ_ASSIGN_OR_RETURN(std::unique_ptr<ConsoleAssets> assets, ConsoleAssets::Load(dir));
//   KZ_RETURN_IF_ERROR(assets->MountOn(router, taxii));
//
// Thread-safety: immutable after Load; safe for concurrent use.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "kizuna/http/handler.h"
#include "kizuna/http/router.h"

namespace kizuna::api {

class ConsoleAssets final : public http::Handler {
  struct Private {
    explicit Private() = default;
  };

 public:
  static constexpr std::string_view kPrefix = "/console/";
  static constexpr size_t kMaxFiles = 512;
  static constexpr uint64_t kMaxTotalBytes = uint64_t{64} << 20;
  static constexpr int kMaxDepth = 4;

  // Reads the files of `dir`. NotFound when `dir` is not a directory or holds no index.html;
  // ResourceExhausted beyond the limits; Unavailable when a file cannot be read.
  static absl::StatusOr<std::unique_ptr<ConsoleAssets>> Load(const std::string& dir);
  // Use Load.
  explicit ConsoleAssets(Private);
  ~ConsoleAssets() override;

  // Mounts the assets on kPrefix and the redirect of browsers on "/", whose other requests
  // `root` (the default handler: TAXII) answers. Both must outlive the router.
  absl::Status MountOn(http::Router& router, http::Handler& root);

  std::shared_ptr<const http::Response> Serve(const http::Request& request, http::RequestInfo& info) override;
  bool Writes(const http::Request&) override { return false; }
  http::Response Error(int status, std::string_view description) override;

  size_t files() const { return files_.size(); }
  uint64_t bytes() const { return bytes_; }

 private:
  struct File {
    std::string etag;
    std::shared_ptr<const http::Response> full;          // 200 with the body
    std::shared_ptr<const http::Response> not_modified;  // 304
  };
  class RootRedirect;

  absl::flat_hash_map<std::string, File> files_;  // by path below kPrefix
  uint64_t bytes_ = 0;
  std::unique_ptr<RootRedirect> root_;
};

}  // namespace kizuna::api
