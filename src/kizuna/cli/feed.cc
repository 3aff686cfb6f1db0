// Kizuna. `kizuna feed add|list|run|remove`: feeds the node pulls on a schedule.
#include <CLI/CLI.hpp>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>

#include "kizuna/base/clock.h"
#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/admin_common.h"
#include "kizuna/cli/command.h"
#include "kizuna/cli/feed.h"
#include "kizuna/policy/policy.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/store/feeds.h"
#include "kizuna/store/open.h"
#include "kizuna/sync/feed_run.h"
#include "kizuna/taxii/auth/grant_access_control.h"

namespace kizuna::cli {
namespace {

constexpr std::string_view kActor = "cli";
constexpr uint64_t kMaxSecretFileBytes = 4096;

struct FeedFlags {
  std::string name, url, format, every = "1h", collection, as_user, map, token_file, basic_file, ca_file;
  double timeout_s = 60;
  int64_t max_bytes = 256LL << 20;
  std::vector<std::string> names;
  bool json = false;
};

void Print(std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); }

// The feed's credential from --token-file or --basic-file (USER:PASSWORD, mode 0600).
absl::Status ApplySecret(const FeedFlags& f, store::Feed& feed) {
  if (!f.token_file.empty()) {
    auto text = ReadPrivateFile(f.token_file, kMaxSecretFileBytes);
    if (!text.ok()) return Annotate(text.status(), "--token-file: ");
    feed.auth = store::PeerAuth::kBearer;
    feed.secret = WithoutLineEnd(std::move(*text));
  } else if (!f.basic_file.empty()) {
    auto text = ReadPrivateFile(f.basic_file, kMaxSecretFileBytes);
    if (!text.ok()) return Annotate(text.status(), "--basic-file: ");
    std::string line = WithoutLineEnd(std::move(*text));
    size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0) {
      return absl::InvalidArgumentError(StrCat("--basic-file ", f.basic_file, ": expected one line USER:PASSWORD"));
    }
    feed.auth = store::PeerAuth::kBasic;
    feed.basic_user = line.substr(0, colon);
    feed.secret = line.substr(colon + 1);
  }
  return absl::OkStatus();
}

// The node's grants, as the server checks them: whether a principal may write to a collection.
sync::MayWrite GrantsOf(store::Database& db) {
  auto access = std::make_shared<taxii::GrantAccessControl>(db, SystemClock());
  return [access](const identity::Principal& p, std::string_view collection) -> absl::StatusOr<bool> {
    KZ_ASSIGN_OR_RETURN(taxii::CollectionAccess can, access->Access(p, collection));
    return can.can_write;
  };
}

int Add(GlobalOptions& global, const FeedFlags& f) {
  auto db = OpenNodeDatabase(global.data_dir);
  if (!db.ok()) return ReportError(db.status());
  store::Feed feed;
  feed.name = f.name;
  feed.url = f.url;
  std::optional<store::FeedKind> kind = store::ParseFeedKind(f.format);
  if (!kind) {
    return ReportError(absl::InvalidArgumentError(
        StrCat("--format '", f.format, "': expected misp, csv, lines, stix or taxii")));
  }
  feed.kind = *kind;
  std::optional<int64_t> every = admin::ParseDuration(f.every);
  if (!every) return ReportError(absl::InvalidArgumentError(StrCat("--every '", f.every, "': expected e.g. 30s, 15m, 1h, 1d")));
  feed.every_us = *every;
  feed.timeout_ms = static_cast<int64_t>(f.timeout_s * 1000);
  feed.max_bytes = f.max_bytes;
  feed.field_map = f.map;
  auto collection = (*db)->FindCollection("", f.collection);
  if (!collection.ok()) return ReportError(collection.status());
  feed.collection = collection->id;
  // The user must exist and be allowed to write there now; each run checks again.
  auto who = policy::PrincipalForUser(**db, f.as_user);
  if (!who.ok()) return ReportError(Annotate(who.status(), "--as: "));
  auto may = GrantsOf(**db)(*who, feed.collection);
  if (!may.ok()) return ReportError(may.status());
  if (!*may) {
    return ReportError(absl::PermissionDeniedError(
        StrCat("--as: user '", f.as_user, "' may not write to collection '", f.collection, "'")));
  }
  feed.as_user = f.as_user;
  if (absl::Status s = ApplySecret(f, feed); !s.ok()) return ReportError(s);
  if (!f.ca_file.empty()) {
    std::error_code ec;
    feed.ca_file = std::filesystem::absolute(f.ca_file, ec).string();
  }
  if (absl::Status s = store::FeedsOf(**db).AddFeed(kActor, feed); !s.ok()) return ReportError(s);
  Print(StrCat("added feed '", feed.name, "' (", f.format, ") from ", feed.url, " every ", f.every, " into '",
               f.collection, "' as ", feed.as_user, "\n"));
  return kExitOk;
}

std::string TimeText(const std::optional<int64_t>& us) { return us ? stix::FormatTaxii(*us) : std::string("never"); }

boost::json::object FeedJson(const store::Feed& f) {
  auto time = [](const std::optional<int64_t>& us) -> boost::json::value {
    if (!us) return nullptr;
    return boost::json::value(stix::FormatTaxii(*us));
  };
  return {{"name", f.name},
          {"url", f.url},
          {"format", store::FeedKindName(f.kind)},
          {"collection", f.collection},
          {"as", f.as_user},
          {"every_seconds", f.every_us / 1'000'000},
          {"map", f.field_map},
          {"timeout_ms", f.timeout_ms},
          {"max_bytes", f.max_bytes},
          {"auth", store::PeerAuthName(f.auth)},
          {"basic_user", f.basic_user},
          {"ca_file", f.ca_file},
          {"runs", f.runs},
          {"not_modified", f.not_modified},
          {"new", f.new_objects},
          {"updated", f.updated_objects},
          {"rejected", f.rejected_objects},
          {"failures", f.failures},
          {"last_run", time(f.last_run_us)},
          {"last_success", time(f.last_success_us)},
          {"last_error", f.last_error},
          {"last_error_at", time(f.last_error_us)}};  // never the secret
}

int List(GlobalOptions& global, bool json) {
  auto db = OpenNodeDatabase(global.data_dir);
  if (!db.ok()) return ReportError(db.status());
  auto feeds = store::FeedsOf(**db).ListFeeds();
  if (!feeds.ok()) return ReportError(feeds.status());
  auto names = ListCollectionNames(**db);
  if (!names.ok()) return ReportError(names.status());
  boost::json::array out;
  for (const store::Feed& f : *feeds) {
    if (json) {
      out.push_back(FeedJson(f));
      continue;
    }
    Print(StrCat(f.name, "  ", store::FeedKindName(f.kind), "  every ", f.every_us / 1'000'000, " s  into ",
                 CollectionName(*names, f.collection), " as ", f.as_user, "  ", f.url, "\n  runs ", f.runs, " (",
                 f.not_modified, " not modified), new ", f.new_objects, ", updated ", f.updated_objects,
                 ", rejected ", f.rejected_objects, ", last success ", TimeText(f.last_success_us), "\n"));
    if (!f.last_error.empty()) {
      Print(StrCat("  last error (", TimeText(f.last_error_us), ", ", f.failures, " in a row): ", f.last_error, "\n"));
    }
  }
  if (json) Print(boost::json::serialize(out) + "\n");
  return kExitOk;
}

boost::json::object ReportJson(const sync::FeedRunReport& r) {
  boost::json::array rejections;
  for (const ingest::Rejection& x : r.rejections) {
    rejections.push_back({{"where", x.where}, {"id", x.id}, {"reason", x.reason}});
  }
  return {{"feed", r.feed},       {"ok", r.ok},
          {"not_modified", r.not_modified}, {"bytes", r.bytes},
          {"redirects", r.redirects}, {"read", r.read},
          {"new", r.new_objects}, {"updated", r.updated_objects},
          {"already_present", r.already_present}, {"rejected", r.rejected},
          {"rejections", rejections}, {"error", r.error}};
}

int Run(GlobalOptions& global, const FeedFlags& f) {
  auto db = OpenNodeDatabase(global.data_dir);
  if (!db.ok()) return ReportError(db.status());
  std::vector<store::Feed> feeds;
  if (f.names.empty()) {
    auto all = store::FeedsOf(**db).ListFeeds();
    if (!all.ok()) return ReportError(all.status());
    feeds = std::move(*all);
  }
  for (const std::string& name : f.names) {
    auto one = store::FeedsOf(**db).GetFeed(name);
    if (!one.ok()) return ReportError(one.status());
    feeds.push_back(std::move(*one));
  }
  sync::MayWrite may_write = GrantsOf(**db);
  boost::json::array out;
  bool failed = false;
  for (const store::Feed& feed : feeds) {
    if (StderrIsTerminal()) std::fputs(StrCat("fetching ", feed.name, " ...\r").c_str(), stderr);
    auto report = sync::RunFeed(**db, feed, may_write, SystemClock());
    if (!report.ok()) return ReportError(report.status());
    failed = failed || !report->ok || report->rejected > 0;
    if (f.json) {
      out.push_back(ReportJson(*report));
      continue;
    }
    std::string text = StrCat(feed.name, ": ");
    if (!report->ok) {
      StrAppend(text, "failed: ", report->error, "\n");
    } else if (report->not_modified) {
      StrAppend(text, "not modified\n");
    } else {
      StrAppend(text, report->bytes, " octets, ", report->read, " objects read: ", report->new_objects, " new, ",
                report->updated_objects, " updated, ", report->already_present, " already present, ",
                report->rejected, " rejected\n");
    }
    for (const ingest::Rejection& x : report->rejections) {
      StrAppend(text, "  rejected ", x.where, x.id.empty() ? "" : " ", x.id, ": ", x.reason, "\n");
    }
    Print(text);
  }
  if (f.json) Print(boost::json::serialize(out) + "\n");
  return failed ? kExitFailure : kExitOk;
}

int Remove(GlobalOptions& global, const std::string& name) {
  auto db = OpenNodeDatabase(global.data_dir);
  if (!db.ok()) return ReportError(db.status());
  if (absl::Status s = store::FeedsOf(**db).RemoveFeed(kActor, name); !s.ok()) return ReportError(s);
  Print(StrCat("removed feed '", name, "' (what it imported stays)\n"));
  return kExitOk;
}

}  // namespace

void AddFeedCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("feed", "Feeds the node pulls on a schedule while it serves (docs/feeds.md)");
  cmd->require_subcommand(1);
  auto f = std::make_shared<FeedFlags>();
  auto* add = cmd->add_subcommand("add", "Add a feed: a URL fetched every DURATION and imported into a collection");
  add->add_option("NAME", f->name, "Feed name: 1-64 of [a-z0-9._-]")->required();
  add->add_option("--url", f->url, "https://host[:port]/path (http:// to a loopback host only)")->required();
  add->add_option("--format", f->format,
                  "misp (MISP events), csv (a 'value' column), lines (one value a line), stix (a bundle, "
                  "envelope, list or JSON lines) or taxii (--url is a TAXII 2.1 collection's, ending in "
                  "/collections/ID/: each run reads the objects added since the last)")
      ->required();
  add->add_option("--every", f->every, "How often: e.g. 30s, 15m, 1h, 1d")->capture_default_str();
  add->add_option("--collection", f->collection, "Collection id or alias the feed is imported into")->required();
  add->add_option("--as", f->as_user,
                  "The user the feed writes as: its grants on the collection are checked at each run, and "
                  "what the feed gives is created by its organisation")
      ->required();
  add->add_option("--map", f->map, "csv: rename columns, NAME=COLUMN,... (e.g. value=ip,family=threat)");
  add->add_option("--timeout", f->timeout_s, "Seconds a whole fetch may take")->capture_default_str();
  add->add_option("--max-bytes", f->max_bytes, "Largest body read (gzip undone)")->capture_default_str();
  auto* token = add->add_option("--token-file", f->token_file, "File (mode 0600) holding a Bearer token to send");
  add->add_option("--basic-file", f->basic_file, "File (mode 0600) holding USER:PASSWORD for HTTP Basic")
      ->excludes(token);
  add->add_option("--ca-file", f->ca_file, "PEM CAs to trust for the feed's server (default: the system's)");
  add->callback([&global, f] { global.exit_code = Add(global, *f); });

  auto* list = cmd->add_subcommand("list", "List feeds with their statistics (never their secrets)");
  list->add_flag("--json", f->json, "Print a JSON array");
  list->callback([&global, f] { global.exit_code = List(global, f->json); });

  auto* run = cmd->add_subcommand("run", "Fetch and import feeds now (all, or those named); exit 1 if one failed");
  run->add_option("NAME", f->names, "Feed names (default: all)");
  run->add_flag("--json", f->json, "Print a JSON array of run reports");
  run->callback([&global, f] { global.exit_code = Run(global, *f); });

  auto* remove = cmd->add_subcommand("remove", "Remove a feed (what it imported stays)");
  remove->add_option("NAME", f->name, "Feed name")->required();
  remove->callback([&global, f] { global.exit_code = Remove(global, f->name); });
}

}  // namespace kizuna::cli
