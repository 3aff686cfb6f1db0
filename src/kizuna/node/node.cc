// Kizuna.
#include "kizuna/node/node.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <thread>
#include <utility>

#include "absl/strings/str_join.h"
#include "kizuna/base/random.h"
#include "kizuna/base/redact.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/node/preflight.h"
#include "kizuna/policy/exercise.h"
#include "kizuna/search/extract.h"
#include "kizuna/store/data_dir.h"
#include "kizuna/store/open.h"

namespace kizuna::node {
namespace {

// Event loops per core when the store is PostgreSQL and `threads` is not set: enough to keep
// the cores busy while the others wait on the database (as many as the store's read
// connections, PgOptions::kReadersPerCore).
constexpr unsigned kPostgresLoopsPerCore = 8;

// The first segment of a mounted path ("/console/" gives "console"), when a segment follows
// it, so that it names something below "/console/": "" for "/healthz".
std::string_view TopSegment(std::string_view path) {
  size_t end = path.find('/', 1);
  return end == std::string_view::npos ? std::string_view() : path.substr(1, end - 1);
}

}  // namespace

std::vector<std::string> ConsoleDirs(std::string_view configured) {
  if (!configured.empty()) return {std::string(configured)};
  std::vector<std::string> dirs = {KIZUNA_CONSOLE_BUILD_DIR};
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back((exe.parent_path().parent_path() / "share" / "kizuna" / "console").string());
  return dirs;
}

absl::StatusOr<std::unique_ptr<Node>> Node::Create(NodeConfig config, Clock& clock) {
  if (config.data_dir.empty()) return absl::InvalidArgumentError("the node needs a data directory");
  auto node = std::make_unique<Node>(Private{}, std::move(config), clock);
  KZ_RETURN_IF_ERROR(node->Build());
  return node;
}

Node::Node(Private, NodeConfig config, Clock& clock) : config_(std::move(config)), clock_(clock) {}

Node::~Node() { Stop(); }

absl::Status Node::Build() {
  const std::string& dir = config_.data_dir;
  if (config_.store.empty()) {
    KZ_ASSIGN_OR_RETURN(config_.store, store::RecordedStoreUrl(dir));
  }
  if (config_.store.empty()) {
    KZ_RETURN_IF_ERROR(StartCheck(dir, config_.start_check_s, clock_, notes_));
  } else {
    notes_.push_back(
        StrCat("store: ", RedactUrl(config_.store), " (no start check: `kizuna check` checks it)"));
  }
  KZ_ASSIGN_OR_RETURN(database_, store::OpenDatabase(dir, clock_, &tightened_, config_.store));
  store::Database& db = *database_;
  db.SetIndexer(std::make_shared<search::Extractor>());  // every write keeps the search index
  for (const store::ApiRoot& root : config_.api_roots) {
    if (db.GetApiRoot(root.name).ok()) continue;
    KZ_RETURN_IF_ERROR(db.CreateApiRoot(root));
  }
  KZ_ASSIGN_OR_RETURN(taxii::NextTokens::Key key,
                      NextTokenKey(dir, SecureRandom(), /*may_make=*/config_.store.empty()));
  config_.service.tls = config_.server.tls;  // discovery's scheme, when built from Host
  policy_ = std::make_unique<policy::Policy>(db, &db, clock_);
  authenticator_ = std::make_unique<taxii::TokenAuthenticator>(db, clock_, config_.auth);
  access_ = std::make_unique<taxii::GrantAccessControl>(db, clock_);
  taxii_ = std::make_unique<taxii::Service>(db, *policy_, *authenticator_, *access_, key, clock_,
                                            config_.service, &db);
  config_.operations.more_metrics = [&db] {
    absl::StatusOr<std::vector<store::Feed>> feeds = store::FeedsOf(db).ListFeeds();
    return feeds.ok() ? sync::FeedMetricsText(*feeds) : std::string();
  };
  operations_ =
      std::make_unique<Operations>(db, *authenticator_, taxii_->metrics(), config_.operations);
  KZ_RETURN_IF_ERROR(operations_->MountOn(router_));
  taxii::GrantAccessControl* access = access_.get();
  auto may_read = [access](const identity::Principal& p, const store::Collection& c) -> absl::StatusOr<bool> {
    KZ_ASSIGN_OR_RETURN(taxii::CollectionAccess can, access->Access(p, c.id));
    return can.can_read && policy::PeerMayReachExercise(c, p);  // docs/security.md, rule 6
  };
  // Common values: the warninglists `kizuna match` reads, as the search commands mark them.
  KZ_RETURN_IF_ERROR(LoadStoredWarninglists(dir, warninglists_));
  searcher_ = std::make_unique<search::Searcher>(db, db, *policy_, &db, clock_, may_read, ListedIn(warninglists_));
  search_api_ = std::make_unique<api::SearchApi>(*searcher_, *authenticator_);
  // Sensor exports (/api/v1/exports/, the longer prefix wins over the console API's
  // /api/v1/) and collections as MISP feeds, for token and certificate clients.
  export_api_ = std::make_unique<api::ExportApi>(db, *policy_, *authenticator_, may_read,
                                                 StrCat(dir, "/allowlists"), clock_);
  KZ_RETURN_IF_ERROR(export_api_->MountOn(router_));
  misp_feed_api_ = std::make_unique<api::MispFeedApi>(db, *policy_, *authenticator_, may_read, clock_);
  KZ_RETURN_IF_ERROR(misp_feed_api_->MountOn(router_));
  router_.Default(*taxii_);
  KZ_RETURN_IF_ERROR(BuildConsole());
  if (!config_.access_log.empty()) {
    KZ_ASSIGN_OR_RETURN(access_log_, http::LineSink::Open(config_.access_log));
    config_.server.access_log = access_log_->Writer();
    config_.server.clock = &clock_;
  }
  runner_ = std::make_unique<sync::Runner>(db, *policy_, clock_);
  feeds_ = std::make_unique<sync::FeedRunner>(
      db,
      [access](const identity::Principal& p, std::string_view collection) -> absl::StatusOr<bool> {
        KZ_ASSIGN_OR_RETURN(taxii::CollectionAccess can, access->Access(p, collection));
        return can.can_write;
      },
      clock_, config_.feeds);
  const int64_t retention_us = config_.service.status_retention_us;
  sweeper_ = std::make_unique<store::StatusSweeper>(
      db, clock_,
      store::StatusSweeperOptions{.retention_us = retention_us,
                                  .interval_us = store::SweepInterval(retention_us)});
  store::IndexFollowerOptions follow;
  follow.on_error = [this](const absl::Status& error) {
    if (index_error_) index_error_(error);
  };
  index_follower_ = std::make_unique<store::IndexFollower>(db, std::move(follow));
  return absl::OkStatus();
}

absl::Status Node::BuildConsole() {
  store::Database& db = *database_;
  sessions_ = std::make_unique<api::SessionStore>(clock_, SecureRandom(), config_.console.sessions);
  session_api_ = std::make_unique<api::SessionApi>(db, *authenticator_, *sessions_, clock_, config_.auth.per_client);
  endpoints_ = std::make_unique<api::ConsoleEndpoints>(db, *policy_, *access_, *searcher_, *taxii_,
                                                       clock_, config_.console.max_import_bytes);
  console_api_ = std::make_unique<api::ConsoleApi>(*session_api_, *search_api_, *authenticator_, *endpoints_);
  KZ_RETURN_IF_ERROR(console_api_->MountOn(router_));
  std::vector<std::string> tried;
  for (const std::string& dir : ConsoleDirs(config_.console.dir)) {
    absl::StatusOr<std::unique_ptr<api::ConsoleAssets>> assets = api::ConsoleAssets::Load(dir);
    if (absl::IsNotFound(assets.status())) {
      tried.push_back(dir);
      continue;
    }
    if (!assets.ok()) return Annotate(assets.status(), "console: ");
    assets_ = std::move(*assets);
    KZ_RETURN_IF_ERROR(assets_->MountOn(router_, *taxii_));
    notes_.push_back(StrCat("console: ", assets_->files(), " files from ", dir, " at /console/"));
    return absl::OkStatus();
  }
  notes_.push_back(StrCat("console: off, no index.html in ", absl::StrJoin(tried, " or ")));
  return absl::OkStatus();
}

absl::Status Node::CheckMounts() {
  for (const std::string& mount : router_.Mounts()) {
    std::string_view top = TopSegment(mount);
    if (!top.empty() && database_->GetApiRoot(top).ok()) {
      return absl::FailedPreconditionError(StrCat(
          "the mount '", mount, "' takes paths of the API root '", top, "': rename one of them"));
    }
  }
  return absl::OkStatus();
}

absl::Status Node::Start() {
  KZ_RETURN_IF_ERROR(CheckMounts());
  if (config_.sync) {
    runner_->Start();
    feeds_->Start();
  }
  sweeper_->Start();
  index_follower_->Start();
  http::ServerOptions server_options = config_.server;
  if (!config_.store.empty() && server_options.threads == 0) {
    // On PostgreSQL a loop that serves a read waits for the database's answer, which another
    // process computes: with one loop per core the cores idle meanwhile (bench/README.md,
    // pg_taxii_bench).
    server_options.threads =
        kPostgresLoopsPerCore * std::max(1u, std::thread::hardware_concurrency());
  }
  absl::StatusOr<std::unique_ptr<http::Server>> server =
      http::Server::Start(router_, server_options);
  if (!server.ok()) {
    Stop();
    return server.status();
  }
  server_ = std::move(*server);
  return absl::OkStatus();
}

void Node::Stop() {
  if (server_ != nullptr) server_->Stop();
  if (runner_ != nullptr) runner_->Stop();
  if (feeds_ != nullptr) feeds_->Stop();
  if (sweeper_ != nullptr) sweeper_->Stop();
  if (index_follower_ != nullptr) index_follower_->Stop();
}

uint16_t Node::port() const { return server_->port(); }

std::string Node::url() const {
  const std::string& address = config_.server.address;
  return StrCat(config_.server.tls ? "https://" : "http://",
                address.find(':') != std::string::npos ? StrCat("[", address, "]") : address, ":",
                port());
}

}  // namespace kizuna::node
