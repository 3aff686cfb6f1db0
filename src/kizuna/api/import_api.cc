// Kizuna. POST /api/v1/collections/{id}/import?format=stix|csv|lines: bulk upload from the
// console.
//
// The body is the file (at most console.max_import_bytes): a STIX document (bundle, TAXII
// envelope, JSON list or JSON lines: stix::DocumentReader, as `kizuna import` reads it), or
// a plain list of values, one a line or CSV (detect::ConvertFeed, as `kizuna import --feed`
// converts it: indicators created by the caller's organisation). The objects are written in
// envelopes of kImportEnvelopeObjects through TAXII's Add Objects path
// (taxii::Service::AddObjectsFor), so the caller's grants and the store's rules of who may
// write what apply as for a TAXII POST — unlike `kizuna import`, which writes as the node's
// operator. Each envelope is audited ("object.add") as TAXII audits it.
// -> {"added": n, "rejected": n, "errors": [{"id", "message"}] (the first kMaxImportErrors)}
#include <boost/json.hpp>

#include "kizuna/api/answer.h"
#include "kizuna/api/console_endpoints.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/feed.h"
#include "kizuna/stix/reader.h"
#include "kizuna/taxii/query.h"

namespace kizuna::api {
namespace {

constexpr size_t kImportEnvelopeObjects = 1000;
constexpr size_t kMaxImportErrors = 100;

struct ImportTally {
  int64_t added = 0, rejected = 0;
  boost::json::array errors;

  void Error(std::string_view id, std::string_view message) {
    ++rejected;
    if (errors.size() < kMaxImportErrors) {
      errors.push_back({{"id", std::string(id)}, {"message", std::string(message)}});
    }
  }
};

}  // namespace

http::Response ConsoleEndpoints::Import(const ApiCall& call, std::string_view encoded_collection) {
  call.info.endpoint = "api-import";
  absl::StatusOr<std::string> collection = taxii::PercentDecode(encoded_collection);
  if (!collection.ok()) return ErrorAnswer(400, View(collection.status().message()));
  absl::StatusOr<std::string> format = QueryValue(call.request.Query(), "format");
  if (!format.ok()) return ErrorAnswer(400, View(format.status().message()));
  if (format->empty()) *format = "stix";
  if (*format != "stix" && *format != "csv" && *format != "lines") {
    return ErrorAnswer(400, StrCat("format '", *format, "' is not stix, csv or lines"));
  }
  absl::StatusOr<std::optional<store::Collection>> writable = WritableCollection(call.principal, *collection);
  if (!writable.ok()) return ErrorAnswer(500, "the collections could not be read");
  if (!*writable) return ErrorAnswer(404, StrCat("no collection '", *collection, "' that you may write to"));

  ImportTally tally;
  std::string converted;  // the feed's indicators, one JSON object a line
  std::string_view document = call.request.body;
  if (*format != "stix") {
    detect::FeedOptions options;
    options.format = *format == "csv" ? detect::FeedFormat::kCsv : detect::FeedFormat::kLines;
    options.family = "console-import";
    options.time_us = clock_.NowMicros();
    options.created_by_ref = call.principal.organization;
    options.origin = "upload";
    absl::StatusOr<detect::FeedResult> feed = detect::ConvertFeed(call.request.body, options);
    if (!feed.ok()) return ErrorAnswer(400, View(feed.status().message()));
    for (const detect::FeedProblem& p : feed->problems) tally.Error(StrCat("line ", p.line), p.reason);
    tally.rejected += feed->skipped - static_cast<int64_t>(feed->problems.size());
    converted = detect::FeedJsonLines(*feed, options);
    document = converted;
  }
  stix::DocumentReader reader(document);
  std::vector<std::string_view> spans;
  auto flush = [&]() -> std::optional<http::Response> {
    if (spans.empty()) return std::nullopt;
    std::string envelope = "{\"objects\":[";
    for (size_t i = 0; i < spans.size(); ++i) StrAppend(envelope, i ? "," : "", spans[i]);
    envelope += "]}";
    spans.clear();
    http::Response r = taxii_.AddObjectsFor(call.principal, *collection, std::move(envelope), call.request.remote);
    if (r.status >= 400) return FromTaxii(std::move(r));
    boost::json::error_code ec;
    boost::json::value status = boost::json::parse(r.body, ec);
    if (ec || !status.is_object()) return ErrorAnswer(500, "the write's status could not be read");
    const boost::json::object& s = status.as_object();
    if (const boost::json::value* n = s.if_contains("success_count"); n && n->is_int64()) tally.added += n->as_int64();
    if (const boost::json::value* f = s.if_contains("failures"); f && f->is_array()) {
      for (const boost::json::value& e : f->as_array()) {
        const boost::json::value* id = e.is_object() ? e.as_object().if_contains("id") : nullptr;
        const boost::json::value* m = e.is_object() ? e.as_object().if_contains("message") : nullptr;
        tally.Error(id && id->is_string() ? std::string(id->as_string()) : std::string(),
                    m && m->is_string() ? std::string(m->as_string()) : std::string("rejected"));
      }
    }
    return std::nullopt;
  };
  stix::ObjectSpan span;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(span);
    if (!more.ok()) {
      tally.Error("", StrCat("the file is not a valid STIX document: ", View(more.status().message())));
      break;
    }
    if (!*more) break;
    if (!span.error.empty()) {
      tally.Error(reader.Where(span.offset), span.error);
      continue;
    }
    spans.push_back(span.json);
    if (spans.size() == kImportEnvelopeObjects) {
      if (std::optional<http::Response> failed = flush()) return std::move(*failed);
    }
  }
  if (std::optional<http::Response> failed = flush()) return std::move(*failed);
  return JsonAnswer(boost::json::serialize(
      boost::json::object{{"added", tally.added}, {"rejected", tally.rejected}, {"errors", std::move(tally.errors)}}));
}

}  // namespace kizuna::api
