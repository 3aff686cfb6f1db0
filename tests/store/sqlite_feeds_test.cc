// Kizuna. Scheduled feeds and their run statistics in the SQLite and PostgreSQL stores.
#include <gtest/gtest.h>

#include "federation_test_util.h"
#include "kizuna/store/feeds.h"

namespace kizuna::store {
namespace {

// The cases run once per backend.
class SqliteFeedsTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    if (GetParam() == StoreBackend::kPostgres && !PgTestServerUrl()) GTEST_SKIP() << kPgMissing;
    fed_.emplace(GetParam(), dir_, clock_);
    absl::Status opened = fed_->Open();
    ASSERT_TRUE(opened.ok()) << opened;
    ASSERT_TRUE(fed_->store().CreateApiRoot({"root", "Root", "", 0}).ok());
    collection_ = fed_->store().CreateCollection({"", "root", "intel", "Intel", "", 0})->id;
  }
  FeedStore& feeds() { return fed_->feeds(); }

  Feed Ipsum() const {
    Feed f;
    f.name = "ipsum";
    f.url = "https://feeds.example/ipsum.txt";
    f.kind = FeedKind::kLines;
    f.collection = collection_;
    f.as_user = "feeder";
    f.auth = PeerAuth::kBearer;
    f.secret = "s3cret";
    return f;
  }

  TempDir dir_;
  FakeClock clock_{1700000000000000};
  std::optional<FederationStore> fed_;
  std::string collection_;
};

INSTANTIATE_TEST_SUITE_P(Backends, SqliteFeedsTest,
                         ::testing::Values(StoreBackend::kSqlite, StoreBackend::kPostgres),
                         StoreBackendName);

TEST_P(SqliteFeedsTest, AddListRemoveWithoutTheSecretInTheAudit) {
  ASSERT_TRUE(feeds().AddFeed("cli", Ipsum()).ok());
  EXPECT_EQ(feeds().AddFeed("cli", Ipsum()).code(), absl::StatusCode::kAlreadyExists);
  auto f = feeds().GetFeed("ipsum");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->secret, "s3cret");
  EXPECT_EQ(f->kind, FeedKind::kLines);
  EXPECT_EQ(f->runs, 0);
  EXPECT_FALSE(f->last_run_us.has_value());
  auto audit = fed_->Audit();
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->back().action, "feed.add");
  EXPECT_EQ(audit->back().details.find("s3cret"), std::string::npos);
  EXPECT_FALSE(fed_->DatabaseHolds("s3cret")) << "the secret is sealed";
  ASSERT_TRUE(feeds().RemoveFeed("cli", "ipsum").ok());
  EXPECT_EQ(feeds().GetFeed("ipsum").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(feeds().RemoveFeed("cli", "ipsum").code(), absl::StatusCode::kNotFound);
}

// A run's record: ok (with `etag`) or failed (with `error`), at `time_us`.
FeedRunRecord RunRecord(bool ok, int64_t time_us, std::string text = "") {
  FeedRunRecord r;
  r.ok = ok;
  r.time_us = time_us;
  (ok ? r.etag : r.error) = std::move(text);
  return r;
}

TEST_P(SqliteFeedsTest, RunsAddUpAndFailuresCountInARow) {
  ASSERT_TRUE(feeds().AddFeed("cli", Ipsum()).ok());
  FeedRunRecord first = RunRecord(true, 10, "\"v1\"");
  first.new_objects = 3;
  ASSERT_TRUE(feeds().SaveFeedRun("ipsum", first).ok());
  FeedRunRecord unchanged = RunRecord(true, 20);
  unchanged.not_modified = true;
  ASSERT_TRUE(feeds().SaveFeedRun("ipsum", unchanged).ok());
  FeedRunRecord failed = RunRecord(false, 30, "HTTP 500");
  failed.rejected_objects = 1;
  ASSERT_TRUE(feeds().SaveFeedRun("ipsum", failed).ok());
  ASSERT_TRUE(feeds().SaveFeedRun("ipsum", RunRecord(false, 40, "timed out")).ok());
  Feed f = *feeds().GetFeed("ipsum");
  EXPECT_EQ(f.etag, "\"v1\"") << "a 304 and failures keep the validators";
  EXPECT_EQ((std::vector<int64_t>{f.runs, f.not_modified, f.new_objects, f.rejected_objects}),
            (std::vector<int64_t>{4, 1, 3, 1}));
  EXPECT_EQ(f.failures, 2);
  EXPECT_EQ(f.last_error, "timed out");
  EXPECT_EQ(f.last_success_us, 20);
  EXPECT_EQ(f.last_run_us, 40);
  FeedRunRecord again = RunRecord(true, 50, "\"v2\"");
  again.updated_objects = 2;
  ASSERT_TRUE(feeds().SaveFeedRun("ipsum", again).ok());
  f = *feeds().GetFeed("ipsum");
  EXPECT_EQ((std::vector<int64_t>{f.failures, f.updated_objects}), (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(f.last_error, "");
  EXPECT_EQ(f.etag, "\"v2\"");
  EXPECT_EQ(feeds().SaveFeedRun("gone", RunRecord(true, 1)).code(), absl::StatusCode::kNotFound);
}

// A taxii feed's cursor is not moved back by a run that began before another stored its own
// (`kizuna feed run` beside the node's scheduled run): its counts are recorded, its cursor
// and validators are not. A run that began at the stored cursor moves it on.
TEST_P(SqliteFeedsTest, ARunThatBeganBehindAnotherKeepsTheOthersCursor) {
  ASSERT_TRUE(feeds().AddFeed("cli", Ipsum()).ok());
  auto run = [](bool ok, std::string began_at, std::string cursor) {
    FeedRunRecord r = RunRecord(ok, 10, ok ? "" : "HTTP 500");
    r.began_at = std::move(began_at);
    r.last_modified = std::move(cursor);
    r.new_objects = 1;
    return r;
  };
  ASSERT_TRUE(feeds().SaveFeedRun("ipsum", run(true, "", "2026-01-02T00:00:00Z")).ok());
  ASSERT_TRUE(feeds().SaveFeedRun("ipsum", run(true, "", "2026-01-01T00:00:00Z")).ok());
  ASSERT_TRUE(feeds().SaveFeedRun("ipsum", run(false, "", "2026-01-01T12:00:00Z")).ok());
  FeedRunRecord stale_etag = run(true, "", "");
  stale_etag.etag = "\"stale\"";
  ASSERT_TRUE(feeds().SaveFeedRun("ipsum", stale_etag).ok());
  Feed f = *feeds().GetFeed("ipsum");
  EXPECT_EQ(f.last_modified, "2026-01-02T00:00:00Z");
  EXPECT_EQ(f.etag, "");
  EXPECT_EQ(f.runs, 4);
  EXPECT_EQ(f.new_objects, 4);
  EXPECT_EQ(f.failures, 0) << "the last run succeeded";

  ASSERT_TRUE(feeds()
                  .SaveFeedRun("ipsum", run(false, "2026-01-02T00:00:00Z", "2026-01-02T06:00:00Z"))
                  .ok());
  EXPECT_EQ(feeds().GetFeed("ipsum")->last_modified, "2026-01-02T06:00:00Z")
      << "a failed run's pages count";
  ASSERT_TRUE(
      feeds().SaveFeedRun("ipsum", run(true, "2026-01-02T06:00:00Z", "2026-01-03T00:00:00Z")).ok());
  EXPECT_EQ(feeds().GetFeed("ipsum")->last_modified, "2026-01-03T00:00:00Z");
  ASSERT_TRUE(
      feeds().SaveFeedRun("ipsum", run(true, "2026-01-02T06:00:00Z", "2026-01-02T07:00:00Z")).ok());
  EXPECT_EQ(feeds().GetFeed("ipsum")->last_modified, "2026-01-03T00:00:00Z");
}

// A taxii feed's run that began behind another's stores its cursor when it is the later one,
// compared as instants (".5Z" is later than "Z" though it sorts before it as text), and keeps
// the other's when it is earlier, the same or unreadable: no span is pulled twice, none lost.
TEST_P(SqliteFeedsTest, ARunThatBeganBehindAnotherStoresTheLaterTaxiiCursor) {
  Feed taxii = Ipsum();
  taxii.name = "partner";
  taxii.kind = FeedKind::kTaxii;
  taxii.url = "https://taxii.example/api/collections/c1/";
  ASSERT_TRUE(feeds().AddFeed("cli", taxii).ok());
  auto run = [](bool ok, std::string began_at, std::string cursor) {
    FeedRunRecord r = RunRecord(ok, 10, ok ? "" : "HTTP 500");
    r.began_at = std::move(began_at);
    r.last_modified = std::move(cursor);
    return r;
  };
  auto cursor = [&] { return feeds().GetFeed("partner")->last_modified; };
  ASSERT_TRUE(feeds().SaveFeedRun("partner", run(true, "", "2026-01-02T00:00:00Z")).ok());
  ASSERT_TRUE(feeds().SaveFeedRun("partner", run(true, "", "2026-01-02T00:00:00.500000Z")).ok());
  EXPECT_EQ(cursor(), "2026-01-02T00:00:00.500000Z") << "later by half a second";
  ASSERT_TRUE(feeds().SaveFeedRun("partner", run(true, "", "2026-01-02T00:00:00.4Z")).ok());
  EXPECT_EQ(cursor(), "2026-01-02T00:00:00.500000Z") << "earlier";
  ASSERT_TRUE(feeds().SaveFeedRun("partner", run(true, "", "2026-01-02T00:00:00.5Z")).ok());
  EXPECT_EQ(cursor(), "2026-01-02T00:00:00.500000Z") << "the same instant";
  ASSERT_TRUE(feeds().SaveFeedRun("partner", run(true, "", "2026-13-02T00:00:00Z")).ok());
  EXPECT_EQ(cursor(), "2026-01-02T00:00:00.500000Z") << "not a timestamp";
  ASSERT_TRUE(feeds().SaveFeedRun("partner", run(false, "", "2026-01-05T00:00:00Z")).ok());
  EXPECT_EQ(cursor(), "2026-01-05T00:00:00Z") << "a failed run's pages count when later";
  ASSERT_TRUE(feeds()
                  .SaveFeedRun("partner", run(true, "2026-01-05T00:00:00Z", "2026-01-04T00:00:00Z"))
                  .ok());
  EXPECT_EQ(cursor(), "2026-01-04T00:00:00Z")
      << "a run that began at the stored cursor stores its own";
  Feed f = *feeds().GetFeed("partner");
  EXPECT_EQ(f.runs, 7);
  EXPECT_EQ(f.failures, 0);
}

// An error longer than kMaxFeedErrorBytes is cut; never inside a character (PostgreSQL's text
// takes whole UTF-8 sequences only).
TEST_P(SqliteFeedsTest, ALongErrorIsCutBetweenCharacters) {
  ASSERT_TRUE(feeds().AddFeed("cli", Ipsum()).ok());
  std::string error(kMaxFeedErrorBytes - 1, 'x');
  error += "\xc3\xa9 and more";  // U+00E9 across the limit
  absl::Status saved = feeds().SaveFeedRun("ipsum", RunRecord(false, 10, error));
  ASSERT_TRUE(saved.ok()) << saved;
  const std::string kept = feeds().GetFeed("ipsum")->last_error;
  EXPECT_TRUE(kept.size() == kMaxFeedErrorBytes - 1 || kept.size() == kMaxFeedErrorBytes)
      << kept.size();
  EXPECT_EQ(kept.substr(0, kMaxFeedErrorBytes - 1), error.substr(0, kMaxFeedErrorBytes - 1));
}

// A feed server's bytes that are not UTF-8 (a Latin-1 error page, a NUL, an ETag of 0xff)
// are recorded as well on PostgreSQL, whose text refuses them: a run left unrecorded would
// leave the feed due again at once, with no backoff.
TEST_P(SqliteFeedsTest, BytesThatAreNotUtf8AreRecorded) {
  ASSERT_TRUE(feeds().AddFeed("cli", Ipsum()).ok());
  FeedRunRecord run = RunRecord(false, 10, std::string("caf\xe9 \xff\x00 refused", 15));
  absl::Status saved = feeds().SaveFeedRun("ipsum", run);
  ASSERT_TRUE(saved.ok()) << saved;
  const std::string kept = feeds().GetFeed("ipsum")->last_error;
  EXPECT_NE(kept.find("caf"), std::string::npos) << kept;
  EXPECT_NE(kept.find("refused"), std::string::npos) << kept;
  run = RunRecord(true, 20, "");
  run.etag = "\"\xff\"";
  saved = feeds().SaveFeedRun("ipsum", run);
  ASSERT_TRUE(saved.ok()) << saved;
}

TEST_P(SqliteFeedsTest, SettingsAreChecked) {
  auto refused = [&](auto change, std::string_view message) {
    Feed f = Ipsum();
    change(f);
    absl::Status s = feeds().AddFeed("cli", f);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << message;
    EXPECT_NE(std::string(s.message()).find(message), std::string::npos) << s;
  };
  refused([](Feed& f) { f.name = "Bad Name"; }, "feed name 'Bad Name'");
  refused([](Feed& f) { f.url = "http://198.51.100.7/list.txt"; }, "loopback");
  refused([](Feed& f) { f.url = "ftp://feeds.example/x"; }, "scheme");
  refused([](Feed& f) { f.every_us = 10; }, "every");
  refused([](Feed& f) { f.max_bytes = 0; }, "max bytes");
  refused([](Feed& f) { f.field_map = "value=ip"; }, "--format csv");
  refused([](Feed& f) { f.secret = "two words"; }, "token");
  refused([](Feed& f) { f.auth = PeerAuth::kNone; }, "'none'");
  Feed f = Ipsum();
  f.collection = "no-such-collection";
  EXPECT_EQ(feeds().AddFeed("cli", f).code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace kizuna::store
