// Kizuna.
#include "kizuna/sync/feed_run.h"

#include <utility>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/feed.h"
#include "kizuna/ingest/feed.h"
#include "kizuna/ingest/importer.h"
#include "kizuna/ingest/misp.h"
#include "kizuna/policy/policy.h"
#include "kizuna/sync/feed_fetch.h"
#include "kizuna/sync/feed_taxii.h"

namespace kizuna::sync {
namespace {

// Imports `body` of `feed` with `importer`, by the feed's format.
absl::Status ImportBody(ingest::Importer& importer, const store::Feed& feed, const identity::Principal& who,
                        std::string_view body, int64_t now_us) {
  const std::string name = StrCat("feed ", feed.name);
  switch (feed.kind) {
    case store::FeedKind::kStix:
    case store::FeedKind::kTaxii: return importer.ImportText(name, body, stix::Padding::kAbsent);
    case store::FeedKind::kMisp: {
      misp::ConvertOptions options;
      options.created_by_ref = who.organization;
      options.origin = feed.url;
      return ingest::ImportMisp(importer, name, body, options);
    }
    case store::FeedKind::kCsv:
    case store::FeedKind::kLines: break;
  }
  detect::FeedOptions options;
  options.format = feed.kind == store::FeedKind::kCsv ? detect::FeedFormat::kCsv : detect::FeedFormat::kLines;
  options.family = feed.name;
  options.origin = feed.url;
  options.created_by_ref = who.organization;
  options.time_us = now_us;
  options.now_us = now_us;
  options.settings.source = feed.name;
  options.settings.source_url = feed.url;
  if (feed.field_map.empty()) return ingest::ImportFeed(importer, name, body, options);
  KZ_ASSIGN_OR_RETURN(std::string renamed, RenameCsvColumns(body, feed.field_map));
  return ingest::ImportFeed(importer, name, renamed, options);
}

// Fetches and imports; fills `report`. Returns why the run failed.
absl::Status Run(store::Database& db, const store::Feed& feed, const MayWrite& may_write, int64_t now_us,
                 FeedRunReport& report, std::string& etag, std::string& last_modified) {
  KZ_ASSIGN_OR_RETURN(identity::Principal who, policy::PrincipalForUser(db, feed.as_user));
  KZ_ASSIGN_OR_RETURN(bool may, may_write(who, feed.collection));
  if (!may || who.organization.empty()) {
    return absl::PermissionDeniedError(
        StrCat("user '", feed.as_user, "' may not write to the feed's collection ", feed.collection));
  }
  ingest::ImportOptions options;
  options.writer = store::Writer{store::WriterKind::kUser, who.user, who.organization, who.nation};
  options.count_updated = true;
  options.max_rejections_kept = kMaxFeedRejectionsReported;
  ingest::Importer importer(db, feed.collection, options);
  absl::Status imported;
  if (feed.kind == store::FeedKind::kTaxii) {
    TaxiiFeedPull pulled;
    imported = PullTaxiiFeed(
        feed, feed.last_modified, [&](std::string_view page) { return ImportBody(importer, feed, who, page, now_us); },
        pulled);
    report.bytes = pulled.bytes;
    report.not_modified = imported.ok() && pulled.pages == 0;
    last_modified = std::move(pulled.cursor);  // kept also when the run fails
  } else {
    KZ_ASSIGN_OR_RETURN(FetchedFeed fetched, FetchFeed(feed));
    report.redirects = fetched.redirects;
    if (fetched.not_modified) {
      report.not_modified = true;
      return absl::OkStatus();
    }
    report.bytes = static_cast<int64_t>(fetched.body.size());
    imported = Annotate(ImportBody(importer, feed, who, fetched.body, now_us), StrCat("feed '", feed.name, "': "));
    if (imported.ok()) {  // a body that failed is fetched whole again
      etag = std::move(fetched.etag);
      last_modified = std::move(fetched.last_modified);
    }
  }
  const ingest::ImportSummary& s = importer.summary();
  report.read = s.read;
  report.updated_objects = s.updated;
  report.new_objects = s.added - s.updated;
  report.already_present = s.already_present;
  report.rejected = s.rejected;
  report.rejections = s.rejections;
  return imported;  // its error names the feed
}

}  // namespace

absl::StatusOr<std::string> RenameCsvColumns(std::string_view csv, std::string_view map) {
  size_t eol = csv.find('\n');
  std::string_view header = csv.substr(0, eol);
  if (header.ends_with('\r')) header.remove_suffix(1);
  std::vector<std::string> columns;
  for (std::string_view rest = header;;) {
    size_t comma = rest.find(',');
    columns.emplace_back(rest.substr(0, comma));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  for (std::string_view rest = map; !rest.empty();) {
    size_t comma = rest.find(',');
    std::string_view pair = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0 || eq + 1 == pair.size()) {
      return absl::InvalidArgumentError(StrCat("map '", map, "': expected NAME=COLUMN[,NAME=COLUMN...], at '", pair, "'"));
    }
    for (std::string& c : columns) {
      if (c == pair.substr(eq + 1)) c = std::string(pair.substr(0, eq));
    }
  }
  std::string out;
  for (size_t i = 0; i < columns.size(); ++i) StrAppend(out, i == 0 ? "" : ",", columns[i]);
  out.append(csv.substr(header.size()));  // the row's end as it was ("\r\n" or "\n"), and the rest
  return out;
}

absl::StatusOr<FeedRunReport> RunFeed(store::Database& db, const store::Feed& feed,
                                      const MayWrite& may_write, Clock& clock, int64_t lead_epoch) {
  FeedRunReport report;
  report.feed = feed.name;
  const int64_t now_us = clock.NowMicros();
  std::string etag, last_modified;
  absl::Status status = Run(db, feed, may_write, now_us, report, etag, last_modified);
  report.ok = status.ok();
  if (!status.ok()) report.error = std::string(status.message());
  store::FeedRunRecord record{.ok = report.ok,
                              .not_modified = report.not_modified,
                              .etag = std::move(etag),
                              .last_modified = std::move(last_modified),
                              .began_at = feed.last_modified,
                              .new_objects = report.new_objects,
                              .updated_objects = report.updated_objects,
                              .rejected_objects = report.rejected,
                              .error = report.error,
                              .time_us = clock.NowMicros(),
                              .lead_epoch = lead_epoch};
  KZ_RETURN_IF_ERROR(store::FeedsOf(db).SaveFeedRun(feed.name, record));
  return report;
}

}  // namespace kizuna::sync
