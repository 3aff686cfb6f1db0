// Kizuna. The operations endpoints on a real store: /healthz and /metrics, as routed.
#include "kizuna/node/operations.h"

#include <gtest/gtest.h>

#include "../store/store_test_util.h"
#include "../taxii/fake_auth.h"
#include "kizuna/taxii/media.h"

namespace kizuna::node {
namespace {

using store::Indicator;

class OperationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Open();
    ASSERT_TRUE(store_->CreateApiRoot({"intel", "Intel", "", 0}).ok());
    shared_ = store_->CreateCollection({"", "intel", "shared", "Shared", "", 0})->id;
    auth_.AddToken(
        "reader",
        {"alice", "identity--a", "JPN", {}, static_cast<uint8_t>(identity::Role::kReader)});
    auth_.AddToken(
        "admin",
        {"root", "identity--b", "USA", {}, static_cast<uint8_t>(identity::Role::kNodeAdmin)});
    Remake({});
  }
  void Open() {
    auto s = store::SqliteStore::Open(dir_.File("kizuna.db"), clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }
  void Remake(OperationsOptions options) {
    router_ = std::make_unique<http::Router>();
    operations_ = std::make_unique<Operations>(*store_, auth_, metrics_, options);
    ASSERT_TRUE(operations_->MountOn(*router_).ok());
  }
  http::Response Call(http::Method method, std::string target, std::string token = "") {
    http::Request r;
    r.method = method;
    r.target = std::move(target);
    if (!token.empty()) r.authorization = "Bearer " + token;
    http::RequestInfo info;
    return *router_->Serve(r, info);
  }
  http::Response Get(std::string target, std::string token = "") {
    return Call(http::Method::kGet, std::move(target), std::move(token));
  }

  store::TempDir dir_;
  FakeClock clock_{1700000000000000};
  std::unique_ptr<store::SqliteStore> store_;
  taxii::FakeAuth auth_;
  taxii::Metrics metrics_;
  std::unique_ptr<http::Router> router_;
  std::unique_ptr<Operations> operations_;
  std::string shared_;
};

TEST_F(OperationsTest, HealthzAnswersWithoutAuthentication) {
  http::Response health = Get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, R"({"status":"ok"})");
  EXPECT_EQ(health.content_type, taxii::kTaxiiMediaType);
  http::Response head = Call(http::Method::kHead, "/healthz");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(head.head_content_length, health.body.size());
  http::Response post = Call(http::Method::kPost, "/healthz");
  EXPECT_EQ(post.status, 405);
  ASSERT_EQ(post.headers.size(), 1u);
  EXPECT_EQ(post.headers[0].second, "GET, HEAD");
  EXPECT_EQ(Get("/healthz/").status, 404) << "mounted at the exact path only";
}

TEST_F(OperationsTest, MetricsAreForNodeAdministrators) {
  ASSERT_EQ(Get("/healthz").status, 200);
  EXPECT_EQ(Get("/metrics").status, 401);
  EXPECT_EQ(Get("/metrics", "wrong").status, 401);
  http::Response reader = Get("/metrics", "reader");
  EXPECT_EQ(reader.status, 403);
  EXPECT_NE(reader.body.find("metrics are for node administrators"), std::string::npos)
      << reader.body;
  http::Response metrics = Get("/metrics", "admin");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4");
  EXPECT_NE(metrics.body.find("kizuna_http_requests_total{endpoint=\"healthz\",status=\"200\"} 1"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("kizuna_http_requests_total{endpoint=\"metrics\",status=\"403\"} 1"),
            std::string::npos)
      << metrics.body;
  auth_.SetBusy(true);
  http::Response busy = Get("/metrics", "admin");
  EXPECT_EQ(busy.status, 503);
  Remake({.metrics_public = true});
  EXPECT_EQ(Get("/metrics").status, 200);
}

// Finding 14 of issue 16: once the store met a damaged page, /healthz says so.
TEST_F(OperationsTest, HealthzFailsOnceTheStoreMetADamagedPage) {
  store::Objects objects;
  std::vector<store::NewObject> batch;
  for (int i = 0; i < 3000; ++i)
    batch.push_back(objects.Make(Indicator(fmt::format("{:012d}", i), "2016-01-01T00:00:00.000Z")));
  ASSERT_TRUE(store_->AddObjects(shared_, batch).ok());
  operations_.reset();
  store_.reset();
  const std::string path = dir_.File("kizuna.db");
  auto [leaves, page_size] = store::LeafPages(path, "entries_current");
  ASSERT_FALSE(leaves.empty());
  store::ZeroPage(path, leaves.front(), page_size);  // what a read of the collection reads first
  Open();
  Remake({});
  EXPECT_EQ(Get("/healthz").status, 200) << "nothing damaged was read yet";
  EXPECT_FALSE(store_->GetObjects(shared_, {}).ok());
  http::Response health = Get("/healthz");
  EXPECT_EQ(health.status, 503);
  EXPECT_NE(health.body.find("damaged"), std::string::npos) << health.body;
}

}  // namespace
}  // namespace kizuna::node
