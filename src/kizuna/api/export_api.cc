// Kizuna.
#include "kizuna/api/export_api.h"

#include <boost/json.hpp>
#include <utility>

#include "kizuna/api/answer.h"
#include "kizuna/api/get_endpoint.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/allowlist_store.h"
#include "kizuna/detect/export/sensor_export.h"
#include "kizuna/taxii/query.h"

namespace kizuna::api {
namespace {

struct ExportQuery {
  std::string collection;
  std::string file;
};

absl::StatusOr<ExportQuery> ParseQuery(std::string_view query) {
  if (query.size() > ExportApi::kMaxQueryBytes) {
    return absl::InvalidArgumentError(StrCat("the query string is longer than ", ExportApi::kMaxQueryBytes, " bytes"));
  }
  ExportQuery out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t eq = part.find('=');
    std::string_view key = part.substr(0, eq);
    KZ_ASSIGN_OR_RETURN(std::string value,
                        taxii::PercentDecode(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1)));
    if (key == "collection") {
      out.collection = std::move(value);
    } else if (key == "file") {
      out.file = std::move(value);
    } else if (!key.empty()) {
      return absl::InvalidArgumentError(StrCat("unknown parameter '", key, "' (collection, file)"));
    }
  }
  if (out.collection.empty()) return absl::InvalidArgumentError("an export needs the parameter collection");
  return out;
}

}  // namespace

absl::Status ExportApi::MountOn(http::Router& router) { return router.Prefix(std::string(kPrefix), *this); }

http::Response ExportApi::Error(int status, std::string_view description) { return ErrorAnswer(status, description); }

http::Response ExportApi::Answer(const http::Request& request, const identity::Principal& principal) {
  std::string_view name = request.Path().substr(kPrefix.size());
  std::optional<detect::SensorFormat> format = detect::ParseSensorFormat(name);
  if (!format) return Error(404, "no such export format (zeek-intel, suricata, rpz, csv)");
  absl::StatusOr<ExportQuery> query = ParseQuery(request.Query());
  if (!query.ok()) return Error(400, View(query.status().message()));
  absl::StatusOr<store::Collection> collection = ReadableCollection(store_, may_read_, principal, query->collection);
  if (!collection.ok()) return CollectionError(collection.status());
  detect::Allowlist allowlist;
  if (absl::Status s = detect::AllowlistStore(allowlist_dir_).LoadInto(allowlist).status(); !s.ok()) {
    return Error(500, "the stored allowlists could not be read");
  }
  allowlist.Finish();
  detect::SensorExportOptions options;
  options.format = *format;
  options.now_us = clock_.NowMicros();
  if (allowlist.list_count() > 0) options.allowlist = &allowlist;
  options.max_listed = 0;
  absl::StatusOr<detect::SensorExport> out =
      detect::ExportForSensors(store_, policy_, principal, *collection, options);
  if (!out.ok()) return Error(500, "the export failed");
  http::Response r;
  int64_t skipped = 0;
  for (const auto& [reason, n] : out->summary.skipped) skipped += n;
  r.headers.emplace_back("X-Kizuna-Exported", StrCat(out->summary.exported));
  r.headers.emplace_back("X-Kizuna-Skipped", StrCat(skipped));
  if (*format == detect::SensorFormat::kSuricata && query->file.empty()) {
    boost::json::array files;
    for (const detect::ExportFile& f : out->files) files.emplace_back(f.name);
    r.content_type = "application/json";
    r.body = boost::json::serialize(boost::json::object{{"files", std::move(files)}});
    return r;
  }
  for (detect::ExportFile& f : out->files) {
    if (!query->file.empty() && f.name != query->file) continue;
    r.content_type = *format == detect::SensorFormat::kCsv ? "text/csv" : "text/plain; charset=utf-8";
    r.body = std::move(f.text);
    return r;
  }
  return Error(404, StrCat("the export has no file '", query->file, "'"));
}

std::shared_ptr<const http::Response> ExportApi::Serve(const http::Request& request, http::RequestInfo& info) {
  return ServeGet(request, info, authenticator_, "api-export",
                  [&](const identity::Principal& principal) { return Answer(request, principal); });
}

}  // namespace kizuna::api
