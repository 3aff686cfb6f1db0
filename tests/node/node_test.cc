// Kizuna. A whole node on 127.0.0.1 (plain HTTP, port 0), driven by an HTTP client: TAXII,
// the operations endpoints, and a handler of the test's own mounted beside them.
#include "kizuna/node/node.h"

#include <gtest/gtest.h>

#include "../http/test_client.h"
#include "../http/test_handler.h"
#include "../store/store_test_util.h"
#include "kizuna/store/open.h"
#include "kizuna/taxii/auth/token.h"
#include "kizuna/taxii/media.h"

namespace kizuna::node {
namespace {

using boost::beast::http::verb;
using store::Indicator;
using store::IndicatorId;

class NodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store::InitDataDir(data_dir_, "intel", clock_).ok());
    config_.data_dir = data_dir_;
    config_.server.port = 0;
    config_.server.tls = false;
    config_.server.threads = 1;
    config_.access_log = "";
    config_.api_roots.push_back({"extra", "Extra", "", 0});
  }

  // Creates the node; a publisher with a token, and a collection it may read and write.
  void Create() {
    absl::StatusOr<std::unique_ptr<Node>> node = Node::Create(config_, clock_);
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = std::move(*node);
    store::Database& db = node_->database();
    ASSERT_TRUE(db.CreateOrganization("cli", {"NISC", "JPN", ""}).ok());
    ASSERT_TRUE(
        db.CreateUser("cli", {"alice", "NISC", static_cast<uint8_t>(identity::Role::kPublisher)})
            .ok());
    auto token = taxii::IssueToken(db, "cli", {"alice", "test", std::nullopt}, random_,
                                   taxii::kTestHashParams);
    ASSERT_TRUE(token.ok()) << token.status();
    bearer_ = "Bearer " + token->text;
    auto c = db.CreateCollection({"", "intel", "shared", "Shared", "", 0});
    ASSERT_TRUE(c.ok()) << c.status();
    collection_ = c->id;
    ASSERT_TRUE(db.SetCollectionPolicy(collection_, {}, "readers").ok());
    ASSERT_TRUE(db.AddGrant("cli", collection_, {store::GranteeKind::kOrganization, "NISC"},
                            {.read = true, .write = true})
                    .ok());
  }

  http::TestReply Taxii(verb method, std::string target, std::string body = "") {
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Authorization", bearer_}, {"Accept", std::string(taxii::kTaxiiMediaType)}};
    if (!body.empty()) headers.emplace_back("Content-Type", std::string(taxii::kTaxiiMediaType));
    return http::Fetch(node_->port(), method, std::move(target), headers, std::move(body));
  }

  store::TempDir dir_;
  const std::string data_dir_ = dir_.File("node");
  FakeClock clock_{1700000000000000};
  SeededRandom random_{7};
  NodeConfig config_;
  std::unique_ptr<Node> node_;
  std::string bearer_, collection_;
};

TEST_F(NodeTest, ServesTaxiiOperationsAndAMountOfItsOwn) {
  Create();
  http::NamedHandler assets("assets");
  ASSERT_TRUE(node_->router().Prefix("/assets/", assets).ok());
  ASSERT_TRUE(node_->Start().ok());
  EXPECT_EQ(node_->url(), StrCat("http://127.0.0.1:", node_->port()));

  http::TestReply asset = http::Fetch(node_->port(), verb::get, "/assets/app.js");
  EXPECT_EQ(asset.status, 200) << asset.error;
  EXPECT_EQ(asset.body, "assets /assets/app.js 0");
  EXPECT_EQ(http::Fetch(node_->port(), verb::get, "/healthz").body, R"({"status":"ok"})");
  EXPECT_EQ(http::Fetch(node_->port(), verb::get, "/taxii2/").status, 401);
  EXPECT_EQ(Taxii(verb::get, "/assetsx/").status, 404);  // TAXII's: no such API root

  http::TestReply discovery = Taxii(verb::get, "/taxii2/");
  ASSERT_EQ(discovery.status, 200) << discovery.body;
  EXPECT_NE(discovery.body.find("/extra/"), std::string::npos)
      << "API roots of the configuration are created";
  std::string objects = StrCat("/intel/collections/", collection_, "/objects/");
  http::TestReply added =
      Taxii(verb::post, objects,
            StrCat("{\"objects\":[", Indicator("000000000001", "2016-01-01T00:00:00.000Z"), "]}"));
  ASSERT_EQ(added.status, 202) << added.body;
  http::TestReply read = Taxii(verb::get, objects);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_NE(read.body.find(IndicatorId("000000000001")), std::string::npos) << read.body;
  EXPECT_EQ(assets.served(), 1);
  node_->Stop();
  EXPECT_NE(http::Fetch(node_->port(), verb::get, "/healthz").error, "") << "stopped";
}

TEST_F(NodeTest, AMountBelowAnApiRootIsRefused) {
  Create();
  http::NamedHandler intruder("intruder");
  ASSERT_TRUE(node_->router().Prefix("/intel/", intruder).ok());
  absl::Status started = node_->Start();
  EXPECT_EQ(started.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(started.message().find("the mount '/intel/' takes paths of the API root 'intel'"),
            std::string::npos)
      << started;
}

TEST_F(NodeTest, ANodeNeedsAnInitialisedDataDirectory) {
  config_.data_dir = "";
  EXPECT_EQ(Node::Create(config_, clock_).status().code(), absl::StatusCode::kInvalidArgument);
  config_.data_dir = dir_.File("nothing-here");
  EXPECT_FALSE(Node::Create(config_, clock_).ok());
  config_.data_dir = data_dir_;
  config_.access_log = dir_.File("no-such-dir/access.log");
  absl::StatusOr<std::unique_ptr<Node>> node = Node::Create(config_, clock_);
  EXPECT_EQ(node.status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(NodeTest, AnAddressInUseIsAnError) {
  Create();
  ASSERT_TRUE(node_->Start().ok());
  NodeConfig second = config_;
  second.server.port = node_->port();
  second.sync = false;
  absl::StatusOr<std::unique_ptr<Node>> other = Node::Create(second, clock_);
  ASSERT_TRUE(other.ok()) << other.status();
  absl::Status started = (*other)->Start();
  EXPECT_EQ(started.code(), absl::StatusCode::kUnavailable) << started;
}

}  // namespace
}  // namespace kizuna::node
