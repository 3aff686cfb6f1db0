// Kizuna.
#include "kizuna/taxii/service.h"

#include <gtest/gtest.h>

#include "../store/store_test_util.h"
#include "kizuna/base/random.h"
#include "kizuna/stix/id.h"
#include "fake_auth.h"
#include "kizuna/taxii/media.h"
#include "simdjson.h"

namespace kizuna::taxii {
namespace {

using store::Indicator;
using store::IndicatorId;

constexpr char kJpn[] = "identity--d20e5b6b-194f-46d9-aa89-883c049c46b9";

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::SqliteStore::Open(dir_.File("kizuna.db"), clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->CreateApiRoot({"intel", "Intel", "Shared intelligence", 0}).ok());
    ASSERT_TRUE(store_->CreateApiRoot({"other", "Other", "", 4096}).ok());
    shared_ = store_->CreateCollection({"", "intel", "shared", "Shared", "For all", 0})->id;
    secret_ = store_->CreateCollection({"", "intel", "secret", "Secret", "", 0})->id;
    dropbox_ = store_->CreateCollection({"", "intel", "dropbox", "Drop box", "", 0})->id;
    // The objects here carry no created_by_ref: released to every reader (policy tests are
    // in service_policy_test.cc).
    for (const std::string& c : {shared_, secret_, dropbox_}) {
      ASSERT_TRUE(store_->SetCollectionPolicy(c, {}, "readers").ok());
    }
    auth_.AddToken("reader", {"alice", kJpn, "JPN", {"jpn-usa"}, static_cast<uint8_t>(identity::Role::kReader)});
    auth_.AddToken("writer", {"bob", kJpn, "JPN", {}, static_cast<uint8_t>(identity::Role::kPublisher)});
    auth_.AddToken("admin", {"root", "identity--other", "USA", {}, static_cast<uint8_t>(identity::Role::kNodeAdmin)});
    auth_.Grant("alice", shared_, true, false);
    auth_.Grant("alice", dropbox_, false, true);
    auth_.Grant("bob", shared_, true, true);
    options_.pages.default_limit = 2;
    options_.pages.max_limit = 3;
    options_.tls = false;
    Remake();
  }
  // Makes the service anew with options_.
  void Remake() {
    NextTokens::Key key{};
    key[0] = 7;
    service_.reset();
    policy_ = std::make_unique<policy::Policy>(*store_, nullptr, clock_);
    service_ = std::make_unique<Service>(*store_, *policy_, auth_, auth_, key, clock_, options_);
  }

  http::Response Call(http::Method method, std::string target, std::string token = "reader", std::string body = "",
                    std::string content_type = std::string(kTaxiiMediaType)) {
    http::Request r;
    r.method = method;
    r.target = std::move(target);
    r.accept = std::string(kTaxiiMediaType);
    if (!token.empty()) r.authorization = "Bearer " + token;
    r.body = std::move(body);
    r.content_type = std::move(content_type);
    r.host = "127.0.0.1:9999";
    return service_->Handle(r);
  }
  http::Response Get(std::string target, std::string token = "reader") { return Call(http::Method::kGet, std::move(target), std::move(token)); }
  http::Response Post(std::string collection, std::string body, std::string token = "writer") {
    return Call(http::Method::kPost, "/intel/collections/" + collection + "/objects/", std::move(token), std::move(body));
  }
  static std::string Envelope(std::vector<std::string> objects) {
    std::string out = "{\"objects\":[";
    for (size_t i = 0; i < objects.size(); ++i) out += (i ? "," : "") + objects[i];
    return out + "]}";
  }
  // Parses a JSON body (the test keeps the parser alive).
  simdjson::dom::element Json(const http::Response& r) {
    padded_ = simdjson::padded_string(r.body);
    simdjson::dom::element e;
    EXPECT_EQ(parser_.parse(padded_).get(e), simdjson::SUCCESS) << r.body;
    return e;
  }
  static std::string Header(const http::Response& r, std::string_view name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return "";
  }

  store::TempDir dir_;
  FakeClock clock_{1700000000000000};
  std::unique_ptr<store::SqliteStore> store_;
  FakeAuth auth_;
  ServiceOptions options_;
  std::unique_ptr<policy::Policy> policy_;
  std::unique_ptr<Service> service_;
  std::string shared_, secret_, dropbox_;
  simdjson::dom::parser parser_;
  simdjson::padded_string padded_;
};

TEST_F(ServiceTest, DiscoveryAndApiRoot) {
  http::Response d = Get("/taxii2/");
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_EQ(d.content_type, kTaxiiMediaType);
  EXPECT_EQ(std::string_view(Json(d)["default"].get_string().value()), "http://127.0.0.1:9999/intel/");
  EXPECT_EQ(Json(d)["api_roots"].get_array().size(), 2u);
  http::Response root = Get("/other/");
  ASSERT_EQ(root.status, 200);
  EXPECT_EQ(int64_t(Json(root)["max_content_length"]), 4096);
  EXPECT_EQ(std::string_view(Json(root)["versions"].at(0).get_string().value()), kTaxiiMediaType);
  EXPECT_EQ(Get("/nope/").status, 404);
}

TEST_F(ServiceTest, AuthenticationAndNegotiation) {
  EXPECT_EQ(Get("/taxii2/", "").status, 401);
  http::Response bad = Get("/taxii2/", "wrong");
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(std::string_view(Json(bad)["http_status"].get_string().value()), "401");
  EXPECT_NE(Header(bad, "WWW-Authenticate"), "");
  http::Request r;
  r.target = "/taxii2/";
  r.authorization = "Bearer reader";
  r.accept = "application/json";
  EXPECT_EQ(service_->Handle(r).status, 406);
  r.accept = "application/taxii+json;version=2.0";
  EXPECT_EQ(service_->Handle(r).status, 406);
  r.accept = "text/html, application/taxii+json";
  EXPECT_EQ(service_->Handle(r).status, 200);
  r.accept = "*/*";
  EXPECT_EQ(service_->Handle(r).status, 200);
  EXPECT_EQ(Get("/taxii2").status, 404);  // TAXII URLs end with '/'
  EXPECT_EQ(Call(http::Method::kDelete, "/taxii2/").status, 405);
  // /healthz and /metrics are the node's (tests/node/operations_test.cc); the counts are here.
  EXPECT_EQ(Get("/healthz", "").status, 404);
  std::string metrics = service_->metrics().Render(0);
  EXPECT_NE(metrics.find("kizuna_http_requests_total{endpoint=\"discovery\",status=\"406\"} 2"), std::string::npos)
      << metrics;
}

TEST_F(ServiceTest, CollectionsShowOnlyWhatTheCallerMaySee) {
  http::Response list = Get("/intel/collections/");
  ASSERT_EQ(list.status, 200);
  auto collections = Json(list)["collections"].get_array().value();
  ASSERT_EQ(collections.size(), 2u);  // shared (read) and dropbox (write); not secret
  for (auto c : collections) {
    std::string_view id = c["id"].get_string().value();
    EXPECT_NE(id, secret_);
    EXPECT_EQ(bool(c["can_read"]), id == shared_);
    EXPECT_EQ(bool(c["can_write"]), id == dropbox_);
  }
  EXPECT_EQ(Get("/intel/collections/" + secret_ + "/").status, 404);
  EXPECT_EQ(Get("/intel/collections/" + secret_ + "/objects/").status, 404);
  EXPECT_EQ(Get("/intel/collections/" + secret_ + "/objects/", "admin").status, 200);
  EXPECT_EQ(Get("/intel/collections/" + dropbox_ + "/objects/").status, 403);  // write-only
  http::Response one = Get("/intel/collections/shared/");  // by alias too
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(std::string_view(Json(one)["id"].get_string().value()), shared_);
  EXPECT_EQ(std::string_view(Json(one)["media_types"].at(0).get_string().value()), kStix21MediaType);
}

TEST_F(ServiceTest, AddObjectsAnswersAStatusThatIsKept) {
  std::string good = Indicator("000000000001", "2016-01-01T00:00:00.000Z");
  std::string bad = R"({"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-000000000002","created":"nope"})";
  http::Response r = Post(shared_, Envelope({good, bad, good}));
  ASSERT_EQ(r.status, 202) << r.body;
  auto status = Json(r);
  EXPECT_EQ(std::string_view(status["status"].get_string().value()), "complete");
  EXPECT_EQ(int64_t(status["total_count"]), 3);
  EXPECT_EQ(int64_t(status["success_count"]), 2);
  EXPECT_EQ(int64_t(status["failure_count"]), 1);
  EXPECT_EQ(int64_t(status["pending_count"]), 0);
  auto failure = status["failures"].at(0);
  EXPECT_EQ(std::string_view(failure["id"].get_string().value()), IndicatorId("000000000002"));
  EXPECT_NE(std::string_view(failure["message"].get_string().value()).find("created"), std::string_view::npos);
  std::string id(status["id"].get_string().value());
  http::Response later = Get("/intel/status/" + id + "/", "writer");
  ASSERT_EQ(later.status, 200);
  EXPECT_EQ(later.body, r.body);
  EXPECT_EQ(Get("/intel/status/" + id + "/", "admin").status, 200);
  EXPECT_EQ(Get("/other/status/" + id + "/", "writer").status, 404);
  // Another organisation does not learn which objects were posted.
  auth_.AddToken("usa", {"carol", "identity--usa", "USA", {}, static_cast<uint8_t>(identity::Role::kReader)});
  EXPECT_EQ(Get("/intel/status/" + id + "/", "usa").status, 404);
}

// Issue 17: randomness is injected: a status id comes from the service's Random.
TEST_F(ServiceTest, StatusIdsComeFromTheInjectedRandom) {
  SeededRandom random(42), same(42);
  options_.random = &random;
  Remake();
  http::Response r = Post(shared_, Envelope({Indicator("000000000001", "2016-01-01T00:00:00.000Z")}));
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(std::string_view(Json(r)["id"].get_string().value()), stix::NewUuidV4(same));
}

// Issue 17: every way in checks the STIX pattern of each indicator (STIX 2.1 §9).
TEST_F(ServiceTest, AnIndicatorWithAnInvalidPatternFailsWithTheReason) {
  std::string bad = Indicator("000000000009", "2016-01-01T00:00:00.000Z");
  bad.replace(bad.find("[file:name = 'x']"), 17, "[file:name = ]");
  http::Response r = Post(shared_, Envelope({Indicator("000000000001", "2016-01-01T00:00:00.000Z"), bad}));
  ASSERT_EQ(r.status, 202) << r.body;
  auto status = Json(r);
  EXPECT_EQ(int64_t(status["success_count"]), 1);
  EXPECT_EQ(int64_t(status["failure_count"]), 1);
  auto failure = status["failures"].at(0);
  EXPECT_EQ(std::string_view(failure["id"].get_string().value()), IndicatorId("000000000009"));
  std::string_view message = failure["message"].get_string().value();
  EXPECT_NE(message.find(": pattern: offset 13: syntax: "), std::string_view::npos) << message;
}

TEST_F(ServiceTest, AddObjectsRefusals) {
  std::string env = Envelope({Indicator("000000000001", "2016-01-01T00:00:00.000Z")});
  EXPECT_EQ(Post(shared_, env, "reader").status, 403);
  EXPECT_EQ(Post(dropbox_, env, "reader").status, 202);
  EXPECT_EQ(Post(secret_, env).status, 404);
  EXPECT_EQ(Call(http::Method::kPost, "/intel/collections/" + shared_ + "/objects/", "writer", env, "application/json").status, 415);
  EXPECT_EQ(Post(shared_, "{\"objects\": [").status, 400);
  EXPECT_EQ(Post(shared_, "[1,2]").status, 400);
  EXPECT_EQ(Post(shared_, "{\"objects\":[{\"type\":\"x\"}]} trailing").status, 400);
  // Over the API root's max_content_length.
  http::Response big = Call(http::Method::kPost, "/other/collections/x/objects/", "admin", std::string(5000, ' '));
  EXPECT_EQ(big.status, 404);  // no such collection in that root
}

// Issue 16, finding 5: an envelope of a million `{}` was accepted (202) with a status of 76 MB.
TEST_F(ServiceTest, AnEnvelopeOverTheObjectBoundIs413AndStoresNothing) {
  options_.max_envelope_objects = 3;
  Remake();
  std::vector<std::string> four;
  for (int i = 1; i <= 4; ++i) four.push_back(Indicator(StrCat("00000000000", i), "2016-01-01T00:00:00.000Z"));
  http::Response r = Post(shared_, Envelope(four));
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("more than 3 objects (limits.max_envelope_objects)"), std::string::npos) << r.body;
  EXPECT_TRUE(store_->GetObjects(shared_, {})->objects.empty());
  EXPECT_EQ(Post(shared_, Envelope({"{}", "{}", "{}", "{}"})).status, 413);
  four.pop_back();
  EXPECT_EQ(Post(shared_, Envelope(four)).status, 202);
}

// Issue 16, finding 5: every failure of an envelope was kept in its status, for ever.
TEST_F(ServiceTest, AStatusKeepsItsFirstDetailsAndExactCounts) {
  options_.max_status_details = 2;
  Remake();
  std::vector<std::string> objects;
  for (int i = 1; i <= 3; ++i) objects.push_back(Indicator(StrCat("00000000000", i), "2016-01-01T00:00:00.000Z"));
  for (int i = 0; i < 5; ++i) objects.push_back("{}");
  http::Response r = Post(shared_, Envelope(objects));
  ASSERT_EQ(r.status, 202) << r.body;
  auto status = Json(r);
  EXPECT_EQ(int64_t(status["total_count"]), 8);
  EXPECT_EQ(int64_t(status["success_count"]), 3);
  EXPECT_EQ(int64_t(status["failure_count"]), 5);
  EXPECT_EQ(status["successes"].get_array().size(), 2u);
  EXPECT_EQ(status["failures"].get_array().size(), 2u);
  EXPECT_EQ(int64_t(status["x_kizuna_details_omitted"]["successes"]), 1);
  EXPECT_EQ(int64_t(status["x_kizuna_details_omitted"]["failures"]), 3);
  std::string id(status["id"].get_string().value());
  EXPECT_EQ(Get("/intel/status/" + id + "/", "writer").body, r.body);
}

// Issue 16, finding 5: statuses were kept for ever.
TEST_F(ServiceTest, AStatusAnswers404OnceItsRetentionIsOver) {
  options_.status_retention_us = 1000;
  Remake();
  http::Response r = Post(shared_, Envelope({Indicator("000000000001", "2016-01-01T00:00:00.000Z")}));
  ASSERT_EQ(r.status, 202);
  std::string path = StrCat("/intel/status/", Json(r)["id"].get_string().value(), "/");
  clock_.Advance(1000);
  EXPECT_EQ(Get(path, "writer").status, 200) << "kept for the whole retention";
  clock_.Advance(1);
  EXPECT_EQ(Get(path, "writer").status, 404);
  EXPECT_EQ(Get(path, "admin").status, 404);
}

TEST_F(ServiceTest, GetObjectsFiltersPagesAndHeaders) {
  std::vector<std::string> objects;
  for (int i = 1; i <= 5; ++i) objects.push_back(Indicator(StrCat("00000000000", i), "2016-01-01T00:00:00.000Z"));
  objects.push_back(Indicator("000000000001", "2016-02-01T00:00:00.000Z"));
  ASSERT_EQ(Post(shared_, Envelope(objects)).status, 202);
  std::string base = "/intel/collections/" + shared_ + "/objects/";
  // Default limit 2; five current objects.
  std::vector<std::string> seen;
  std::string target = base;
  int pages = 0;
  for (;;) {
    http::Response r = Get(target);
    ASSERT_EQ(r.status, 200) << r.body;
    auto env = Json(r);
    for (auto o : env["objects"].get_array()) seen.emplace_back(o["id"].get_string().value());
    EXPECT_NE(Header(r, "X-TAXII-Date-Added-First"), "");
    EXPECT_NE(Header(r, "X-TAXII-Date-Added-Last"), "");
    ++pages;
    if (!bool(env["more"])) break;
    target = base + "?next=" + std::string(env["next"].get_string().value());
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 5u);
  // limit above the maximum is lowered; a forged or re-bound next token is refused.
  EXPECT_EQ(Json(Get(base + "?limit=999999"))["objects"].get_array().size(), 3u);
  EXPECT_EQ(Get(base + "?limit=0").status, 400);
  EXPECT_EQ(Get(base + "?limit=-1").status, 400);
  http::Response first = Get(base);
  std::string next(Json(first)["next"].get_string().value());
  EXPECT_EQ(Get(base + "?next=AAAA" + next.substr(4)).status, 400);
  EXPECT_EQ(Get(base + "?match[type]=malware&next=" + next).status, 400);
  EXPECT_EQ(Get(base + "?next=" + next + "&limit=3").status, 200);  // limit may change
  // Filters.
  EXPECT_EQ(Json(Get(base + "?match[version]=all&limit=3"))["objects"].get_array().size(), 3u);
  auto by_id = Json(Get(base + "?match%5Bid%5D=" + IndicatorId("000000000001") + "&match[version]=first"));
  EXPECT_EQ(std::string_view(by_id["objects"].at(0)["modified"].get_string().value()), "2016-01-01T00:00:00.000Z");
  http::Response empty = Get(base + "?match[type]=malware");
  EXPECT_EQ(empty.body, "{\"more\":false}");
  EXPECT_EQ(Header(empty, "X-TAXII-Date-Added-First"), "");
  EXPECT_EQ(Get(base + "?added_after=2100-01-01T00:00:00Z").body, "{\"more\":false}");
  EXPECT_EQ(Get(base + "?added_after=yesterday").status, 400);
  EXPECT_EQ(Get(base + "?match[version]=latest").status, 400);
  EXPECT_EQ(Get(base + "?match[spec_version]=3.0").status, 400);
  EXPECT_EQ(Get(base + "?match[type]=Not_A_Type").status, 400);
  EXPECT_EQ(Get(base + "?match[color]=red").status, 400);
  EXPECT_EQ(Get(base + "?limit=1&limit=2").status, 400);
  EXPECT_EQ(Get(base + "?cachebuster=1").status, 200);
}

TEST_F(ServiceTest, KeptResponsesNeverOutliveALocalChange) {
  std::string base = "/intel/collections/" + shared_ + "/objects/?limit=3";
  auto count = [&](const http::Response& r) { return Json(r)["objects"].get_array().size(); };
  ASSERT_EQ(Post(shared_, Envelope({Indicator("000000000001", "2016-01-01T00:00:00.000Z")})).status, 202);
  http::Response first = Get(base);
  EXPECT_EQ(count(first), 1u);
  // A write through this process is read at once, also by another caller.
  std::string creator = StrCat(", \"created_by_ref\": \"", kJpn, "\"");
  ASSERT_EQ(Post(shared_, Envelope({Indicator("000000000002", "2016-01-01T00:00:00.000Z", creator)})).status, 202);
  EXPECT_EQ(count(Get(base)), 2u);
  EXPECT_EQ(count(Get(base, "writer")), 2u);
  // So is a delete.
  ASSERT_EQ(Call(http::Method::kDelete, "/intel/collections/" + shared_ + "/objects/" + IndicatorId("000000000002") + "/",
                 "writer").status, 200);
  EXPECT_EQ(count(Get(base)), 1u);
  // A write by another process (a second store on the file) shows within the maximum age.
  auto other = store::SqliteStore::Open(dir_.File("kizuna.db"), clock_);
  ASSERT_TRUE(other.ok());
  store::Objects maker;
  std::vector<store::NewObject> batch = {maker.Make(Indicator("000000000003", "2016-01-01T00:00:00.000Z"))};
  ASSERT_TRUE((*other)->AddObjects(shared_, batch).ok());
  EXPECT_EQ(count(Get(base)), 1u) << "kept for up to a second";
  clock_.Advance(1'000'000);
  EXPECT_EQ(count(Get(base)), 2u);
  // HEAD answers from the same response, without the body.
  http::Response head = Call(http::Method::kHead, base);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(Header(head, "X-TAXII-Date-Added-Last"), Header(Get(base), "X-TAXII-Date-Added-Last"));
}

// Finding 13 of issue 16: HEAD announced Content-Length: 0.
TEST_F(ServiceTest, HeadAnnouncesTheLengthOfTheGetBody) {
  ASSERT_EQ(Post(shared_, Envelope({Indicator("000000000001", "2016-01-01T00:00:00.000Z")})).status, 202);
  for (const std::string& target : std::vector<std::string>{"/taxii2/", "/intel/collections/" + shared_ + "/objects/", "/nope/"}) {
    http::Response get = Get(target);
    http::Response head = Call(http::Method::kHead, target);
    EXPECT_EQ(head.status, get.status) << target;
    EXPECT_EQ(head.body, "") << target;
    ASSERT_TRUE(head.head_content_length.has_value()) << target;
    EXPECT_EQ(*head.head_content_length, get.body.size()) << target;
    EXPECT_GT(*head.head_content_length, 0u) << target;
    EXPECT_FALSE(get.head_content_length.has_value());
  }
}

// Finding 13 of issue 16: a request body in a content coding was read as if it had none.
TEST_F(ServiceTest, ContentCodingsOtherThanIdentityAre415) {
  http::Request r;
  r.method = http::Method::kPost;
  r.target = "/intel/collections/" + shared_ + "/objects/";
  r.accept = std::string(kTaxiiMediaType);
  r.content_type = std::string(kTaxiiMediaType);
  r.authorization = "Bearer writer";
  r.body = Envelope({Indicator("000000000002", "2016-01-01T00:00:00.000Z")});
  r.content_encoding = "gzip";
  http::Response refused = service_->Handle(r);
  EXPECT_EQ(refused.status, 415);
  EXPECT_NE(refused.body.find("Content-Encoding 'gzip' is not supported"), std::string::npos) << refused.body;
  EXPECT_EQ(Header(refused, "Accept-Encoding"), "identity");
  r.content_encoding = "identity";
  EXPECT_EQ(service_->Handle(r).status, 202);
}

// Finding 13 of issue 16: client text quoted in an error must not break its JSON.
TEST_F(ServiceTest, ErrorsQuotingInvalidUtf8AreValidJson) {
  http::Response r = Get("/intel/collections/" + shared_ + "/objects/?match[type]=in%FFdicator%C0");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("in\xEF\xBF\xBD" "dicator\xEF\xBF\xBD"), std::string::npos) << r.body;
  simdjson::dom::parser strict;  // validates UTF-8
  simdjson::padded_string body(r.body);
  EXPECT_EQ(strict.parse(body).error(), simdjson::SUCCESS) << r.body;
}

// Finding 4 of issue 16: an authenticator that cannot check a token now asks for a retry.
TEST_F(ServiceTest, AnAuthenticatorThatIsBusyGives503WithRetryAfter) {
  auth_.SetBusy(true);
  http::Response r = Get("/taxii2/");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Header(r, "Retry-After"), "1");
  auth_.SetBusy(false);
  EXPECT_EQ(Get("/taxii2/").status, 200);
}

TEST_F(ServiceTest, ObjectVersionsManifestAndDelete) {
  std::string creator = StrCat(", \"created_by_ref\": \"", kJpn, "\"");
  ASSERT_EQ(Post(shared_, Envelope({Indicator("000000000001", "2016-01-01T00:00:00.000Z", creator),
                                    Indicator("000000000001", "2016-02-01T00:00:00.000Z", creator)})).status, 202);
  std::string object = "/intel/collections/" + shared_ + "/objects/" + IndicatorId("000000000001") + "/";
  http::Response one = Get(object);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(Json(one)["objects"].get_array().size(), 1u);
  EXPECT_EQ(Json(Get(object + "?match[version]=all"))["objects"].get_array().size(), 2u);
  EXPECT_EQ(Get(object + "?match[type]=indicator").status, 400);  // not a filter of this endpoint
  http::Response versions = Get(object + "versions/");
  ASSERT_EQ(versions.status, 200);
  EXPECT_EQ(std::string_view(Json(versions)["versions"].at(1).get_string().value()), "2016-02-01T00:00:00.000Z");
  http::Response manifest = Get("/intel/collections/" + shared_ + "/manifest/");
  ASSERT_EQ(manifest.status, 200);
  auto record = Json(manifest)["objects"].at(0);
  EXPECT_EQ(std::string_view(record["media_type"].get_string().value()), kStix21MediaType);
  EXPECT_EQ(std::string_view(record["version"].get_string().value()), "2016-02-01T00:00:00.000Z");
  EXPECT_EQ(std::string_view(record["date_added"].get_string().value()).size(), 27u);
  EXPECT_EQ(Get("/intel/collections/" + shared_ + "/objects/" + IndicatorId("000000000099") + "/").status, 404);
  // Delete: readers may not; the creator's organisation may.
  EXPECT_EQ(Call(http::Method::kDelete, object, "reader").status, 403);
  EXPECT_EQ(Call(http::Method::kDelete, object + "?match[version]=2016-02-01T00:00:00.000Z", "writer").status, 200);
  EXPECT_EQ(std::string_view(Json(Get(object))["objects"].at(0)["modified"].get_string().value()),
            "2016-01-01T00:00:00.000Z");
  EXPECT_EQ(Call(http::Method::kDelete, object, "writer").status, 200);
  EXPECT_EQ(Get(object).status, 404);
  EXPECT_EQ(Call(http::Method::kDelete, object, "writer").status, 404);
}

TEST_F(ServiceTest, PathTraversalAndOddPaths) {
  EXPECT_EQ(Get("/intel/collections/../../etc/passwd/").status, 404);
  EXPECT_EQ(Get("/intel/collections/%2e%2e/objects/").status, 404);
  EXPECT_EQ(Get("/intel/collections/a%00b/objects/").status, 404);
  EXPECT_EQ(Get("/intel/collections/%zz/").status, 400);
  EXPECT_EQ(Get("//").status, 404);
  EXPECT_EQ(Get("/intel//collections/").status, 404);
  EXPECT_EQ(Get("").status, 404);
}

}  // namespace
}  // namespace kizuna::taxii
