// Kizuna. The releasability policy on the TAXII reading endpoints: what JPN, USA and KOR
// organisations see of one collection, and pagination over withheld objects.
#include "kizuna/taxii/service.h"

#include <gtest/gtest.h>

#include <set>

#include "../store/store_test_util.h"
#include "fake_auth.h"
#include "kizuna/policy/marking.h"
#include "kizuna/taxii/media.h"
#include "simdjson.h"

namespace kizuna::taxii {
namespace {

constexpr char kJpn[] = "identity--1a000000-0000-4000-8000-00000000000a";
constexpr char kUsa[] = "identity--1b000000-0000-4000-8000-00000000000b";
constexpr char kKor[] = "identity--1c000000-0000-4000-8000-00000000000c";
constexpr char kRelUsaJpn[] = "marking-definition--2a000000-0000-4000-8000-000000000001";
constexpr char kRed[] = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";

std::string Indicator(int n, std::string_view markings, std::string_view creator = kJpn) {
  std::string o = StrCat(R"({"type":"indicator","spec_version":"2.1","id":"indicator--3a000000-0000-4000-8000-)",
                         std::string(12 - std::to_string(n).size(), '0'), n,
                         R"(","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z",)"
                         R"("description":"secret source","pattern":"[ipv4-addr:value = '198.51.100.1']",)"
                         R"("pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z","created_by_ref":")",
                         creator, "\"");
  if (!markings.empty()) StrAppend(o, R"(,"object_marking_refs":[")", markings, "\"]");
  return o + "}";
}

std::string IndicatorId(int n) {
  return StrCat("indicator--3a000000-0000-4000-8000-", std::string(12 - std::to_string(n).size(), '0'), n);
}

class ServicePolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::SqliteStore::Open(dir_.File("kizuna.db"), clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->CreateApiRoot({"intel", "Intel", "", 0}).ok());
    collection_ = store_->CreateCollection({"", "intel", "alliance", "Alliance", "", 0})->id;
    ASSERT_TRUE(store_->SetCollectionPolicy(collection_, {"jpn-usa"}, "creator-nation").ok());
    ASSERT_TRUE(store_->CreateOrganization("test", {"JPN-A", "JPN", kJpn}).ok());
    // Partners' organisations: their objects may come from partner nodes (docs/security.md).
    ASSERT_TRUE(store_->CreateOrganization("test", {"USA-A", "USA", kUsa, /*partner=*/true}).ok());
    ASSERT_TRUE(store_->CreateOrganization("test", {"KOR-A", "KOR", kKor, /*partner=*/true}).ok());
    auto role = [](identity::Role r) { return static_cast<uint8_t>(r); };
    auth_.AddToken("jpn", {"jp", kJpn, "JPN", {"jpn-usa"}, role(identity::Role::kPublisher)});
    auth_.AddToken("usa", {"us", kUsa, "USA", {"jpn-usa"}, role(identity::Role::kReader)});
    auth_.AddToken("kor", {"kr", kKor, "KOR", {"jpn-usa-kor"}, role(identity::Role::kReader)});
    auth_.AddToken("usa-node", {"usa-node", kUsa, "USA", {"jpn-usa"}, role(identity::Role::kPeer)});
    for (const char* user : {"jp", "us", "kr", "usa-node"}) auth_.Grant(user, collection_, true, true);
    ServiceOptions options;
    options.pages.default_limit = 2;
    options.pages.max_limit = 3;
    options.tls = false;
    policy_ = std::make_unique<policy::Policy>(*store_, store_.get(), clock_);
    service_ = std::make_unique<Service>(*store_, *policy_, auth_, auth_, NextTokens::Key{}, clock_, options, store_.get());
  }

  http::Response Get(std::string target, std::string token) {
    http::Request r;
    r.method = http::Method::kGet;
    r.target = std::move(target);
    r.accept = std::string(kTaxiiMediaType);
    r.authorization = "Bearer " + token;
    r.host = "127.0.0.1:9999";
    return service_->Handle(r);
  }
  void Post(std::vector<std::string> objects, std::string token = "jpn") {
    http::Request r;
    r.method = http::Method::kPost;
    r.target = StrCat("/intel/collections/", collection_, "/objects/");
    r.accept = std::string(kTaxiiMediaType);
    r.content_type = std::string(kTaxiiMediaType);
    r.authorization = "Bearer " + token;
    r.host = "127.0.0.1:9999";
    r.body = "{\"objects\":[";
    for (size_t i = 0; i < objects.size(); ++i) r.body += (i ? "," : "") + objects[i];
    r.body += "]}";
    http::Response resp = service_->Handle(r);
    ASSERT_EQ(resp.status, 202) << resp.body;
    clock_.Advance(1000);
  }
  // Every object id `token` reads from `endpoint`, following `next` to the end.
  std::vector<std::string> ReadAll(std::string_view endpoint, const std::string& token) {
    std::vector<std::string> ids;
    std::string next;
    for (int pages = 0; pages < 50; ++pages) {
      std::string target = StrCat("/intel/collections/", collection_, "/", endpoint, "/");
      if (!next.empty()) StrAppend(target, "?next=", next);
      http::Response r = Get(target, token);
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200) break;
      simdjson::padded_string text(r.body);
      simdjson::dom::element e = parser_.parse(text).value();
      simdjson::dom::array objects;
      if (e["objects"].get_array().get(objects) == simdjson::SUCCESS) {
        for (auto o : objects) ids.emplace_back(std::string_view(o["id"].get_string().value()));
      }
      if (!bool(e["more"])) return ids;
      next = std::string(std::string_view(e["next"].get_string().value()));
    }
    ADD_FAILURE() << "more than 50 pages";
    return ids;
  }
  std::string RelUsaJpn() const {
    return StrCat(R"({"type":"marking-definition","spec_version":"2.1","id":")", kRelUsaJpn,
                  R"(","created":"2026-01-01T00:00:00.000Z","extensions":{")", policy::kReleasableToExtensionId,
                  R"(":{"extension_type":"property-extension","releasable_to":["USA","JPN"]}}})");
  }

  store::TempDir dir_;
  FakeClock clock_{1700000000000000};
  std::unique_ptr<store::SqliteStore> store_;
  FakeAuth auth_;
  std::unique_ptr<policy::Policy> policy_;
  std::unique_ptr<Service> service_;
  std::string collection_;
  simdjson::dom::parser parser_;
};

TEST_F(ServicePolicyTest, ALongRunOfWithheldObjectsIsCrossedInOneRequest) {
  // 300 TLP:RED objects (page size 2): a page that said "more" with nothing in it would tell
  // USA and KOR that something they may not see follows.
  std::vector<std::string> red;
  for (int i = 1; i <= 300; ++i) red.push_back(Indicator(i, kRed));
  Post(red);
  Post({Indicator(301, "", kUsa)}, "usa");  // USA's own object
  std::string objects = StrCat("/intel/collections/", collection_, "/objects/");
  http::Response usa = Get(objects, "usa");
  EXPECT_EQ(usa.status, 200);
  EXPECT_EQ(usa.body.find("secret"), usa.body.rfind("secret")) << "one object: " << usa.body;
  EXPECT_NE(usa.body.find(IndicatorId(301)), std::string::npos) << usa.body;
  EXPECT_NE(usa.body.find("\"more\":false"), std::string::npos) << usa.body;
  EXPECT_EQ(Get(objects, "kor").body, "{\"more\":false}");
  EXPECT_EQ(Get(StrCat("/intel/collections/", collection_, "/manifest/"), "kor").body, "{\"more\":false}");
  http::Response jpn = Get(objects, "jpn");  // the creator sees them all
  EXPECT_NE(jpn.body.find(IndicatorId(2)), std::string::npos) << jpn.body;
  EXPECT_NE(jpn.body.find("\"more\":true"), std::string::npos) << jpn.body;
}

TEST_F(ServicePolicyTest, WhoSeesWhatAcrossPages) {
  // 1, 4, 7: REL TO USA, JPN; 2, 5: TLP:RED; 3, 6: unmarked (JPN only by default).
  Post({RelUsaJpn()});
  for (int i = 1; i <= 7; ++i) Post({Indicator(i, i % 3 == 1 ? kRelUsaJpn : i % 3 == 2 ? kRed : "")});
  std::vector<std::string> md = {kRelUsaJpn};
  auto ids = [&](std::vector<int> ns) {
    std::vector<std::string> out = md;
    for (int n : ns) out.push_back(IndicatorId(n));
    return out;
  };
  EXPECT_EQ(ReadAll("objects", "jpn"), ids({1, 2, 3, 4, 5, 6, 7}));  // the creator sees all
  EXPECT_EQ(ReadAll("objects", "usa"), ids({1, 4, 7}));
  EXPECT_EQ(ReadAll("objects", "kor"), ids({}));
  EXPECT_EQ(ReadAll("manifest", "usa"), ids({1, 4, 7}));
  EXPECT_EQ(ReadAll("manifest", "kor"), ids({}));
  EXPECT_EQ(ReadAll("objects", "usa-node"), ids({1, 4, 7}));
}

TEST_F(ServicePolicyTest, WithheldObjectsLookAbsent) {
  Post({RelUsaJpn()});
  Post({Indicator(1, kRelUsaJpn)});
  Post({Indicator(2, kRed)});
  std::string base = StrCat("/intel/collections/", collection_, "/objects/");
  http::Response never = Get(base + IndicatorId(9) + "/", "kor");
  http::Response denied = Get(base + IndicatorId(1) + "/", "kor");
  EXPECT_EQ(denied.status, 404);
  EXPECT_EQ(denied.body, never.body);
  EXPECT_EQ(Get(base + IndicatorId(1) + "/versions/", "kor").status, 404);
  EXPECT_EQ(Get(base + IndicatorId(1) + "/versions/", "kor").body, Get(base + IndicatorId(9) + "/versions/", "kor").body);
  EXPECT_EQ(Get(base + IndicatorId(1) + "/", "usa").status, 200);
  EXPECT_EQ(Get(base + IndicatorId(1) + "/versions/", "usa").status, 200);
  EXPECT_EQ(Get(base + IndicatorId(2) + "/", "usa").status, 404);
  EXPECT_EQ(Get(base + IndicatorId(2) + "/", "usa-node").status, 404);
  EXPECT_EQ(Get(base + IndicatorId(2) + "/", "jpn").status, 200);
}

TEST_F(ServicePolicyTest, DeletingAWithheldObjectLooksLikeDeletingNothing) {
  Post({Indicator(1, kRed)});
  auth_.AddToken("usa-writer", {"usw", kUsa, "USA", {"jpn-usa"}, static_cast<uint8_t>(identity::Role::kPublisher)});
  auth_.Grant("usw", collection_, true, true);
  http::Request r;
  r.method = http::Method::kDelete;
  r.accept = std::string(kTaxiiMediaType);
  r.authorization = "Bearer usa-writer";
  r.host = "127.0.0.1:9999";
  r.target = StrCat("/intel/collections/", collection_, "/objects/", IndicatorId(1), "/");
  http::Response denied = service_->Handle(r);
  r.target = StrCat("/intel/collections/", collection_, "/objects/", IndicatorId(9), "/");
  http::Response never = service_->Handle(r);
  EXPECT_EQ(denied.status, 404);
  EXPECT_EQ(denied.body, never.body);
  EXPECT_EQ(Get(StrCat("/intel/collections/", collection_, "/objects/", IndicatorId(1), "/"), "jpn").status, 200);
}

TEST_F(ServicePolicyTest, AmberAPeerPushedIsNeverForwarded) {
  constexpr char kAmber[] = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
  auth_.AddToken("kor-node", {"kor-node", kKor, "KOR", {"jpn-usa-kor"}, static_cast<uint8_t>(identity::Role::kPeer)});
  auth_.Grant("kor-node", collection_, true, false);
  Post({Indicator(1, kAmber, kUsa)}, "usa-node");  // received from the USA node
  Post({Indicator(2, kAmber)});                      // JPN's own
  auto prov = store_->GetProvenance(collection_, IndicatorId(1));
  ASSERT_TRUE(prov.ok()) << prov.status();
  ASSERT_EQ(prov->size(), 1u);
  EXPECT_EQ((*prov)[0].peer, "usa-node");
  EXPECT_TRUE(store_->GetProvenance(collection_, IndicatorId(2))->empty());
  EXPECT_EQ(ReadAll("objects", "kor-node"), std::vector<std::string>{IndicatorId(2)});
  EXPECT_EQ(ReadAll("objects", "kor"), (std::vector<std::string>{IndicatorId(1), IndicatorId(2)}))
      << "direct recipients on this node read both";
}

TEST_F(ServicePolicyTest, GranularMarkingsAreRedactedInTheCopyServed) {
  std::string o = Indicator(1, "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487");  // TLP:CLEAR
  o.pop_back();
  StrAppend(o, R"(,"granular_markings":[{"marking_ref":")", kRed, R"(","selectors":["description"]}]})");
  Post({o});
  std::string target = StrCat("/intel/collections/", collection_, "/objects/", IndicatorId(1), "/");
  http::Response kor = Get(target, "kor");
  ASSERT_EQ(kor.status, 200) << kor.body;
  EXPECT_EQ(kor.body.find("secret source"), std::string::npos) << kor.body;
  EXPECT_NE(kor.body.find("\"pattern\""), std::string::npos) << kor.body;
  http::Response jpn = Get(target, "jpn");
  EXPECT_NE(jpn.body.find("secret source"), std::string::npos) << "the stored object is unchanged";
  EXPECT_EQ(ReadAll("manifest", "kor"), std::vector<std::string>{IndicatorId(1)});
}

TEST_F(ServicePolicyTest, UnknownMarkingDenies) {
  Post({Indicator(1, "marking-definition--4a000000-0000-4000-8000-000000000001")});
  EXPECT_EQ(ReadAll("objects", "usa"), std::vector<std::string>{});
  EXPECT_EQ(ReadAll("objects", "jpn"), std::vector<std::string>{IndicatorId(1)});
}

}  // namespace
}  // namespace kizuna::taxii
