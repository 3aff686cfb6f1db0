// Kizuna.
#include "kizuna/http/router.h"

#include <gtest/gtest.h>

#include "test_handler.h"

namespace kizuna::http {
namespace {

Request Get(std::string target) {
  Request r;
  r.target = std::move(target);
  return r;
}

std::string Body(const Router& router, std::string target) {
  RequestInfo info;
  return router.Serve(Get(std::move(target)), info)->body;
}

TEST(RouterTest, AnExactMountBeatsAPrefix) {
  NamedHandler exact("exact"), prefix("prefix");
  Router router;
  ASSERT_TRUE(router.Prefix("/api/", prefix).ok());
  ASSERT_TRUE(router.Exact("/api/health", exact).ok());
  EXPECT_EQ(&router.Find("/api/health"), &exact);
  EXPECT_EQ(&router.Find("/api/healthz"), &prefix);
  EXPECT_EQ(&router.Find("/api/health/"), &prefix);
  EXPECT_EQ(Body(router, "/api/health?x=1"), "exact /api/health 0");  // the query is not the path
}

TEST(RouterTest, TheLongestPrefixWins) {
  NamedHandler api("api"), v2("v2");
  Router router;
  ASSERT_TRUE(router.Prefix("/api/", api).ok());
  ASSERT_TRUE(router.Prefix("/api/v2/", v2).ok());  // mounted after, longer
  EXPECT_EQ(&router.Find("/api/v2/x"), &v2);
  EXPECT_EQ(&router.Find("/api/v2/"), &v2);
  EXPECT_EQ(&router.Find("/api/v3/x"), &api);
  EXPECT_EQ(&router.Find("/api/"), &api);
  EXPECT_EQ(router.Mounts(), (std::vector<std::string>{"/api/", "/api/v2/"}));
}

TEST(RouterTest, APrefixTakesOnlyPathsBelowIt) {
  NamedHandler api("api"), fallback("default");
  Router router;
  ASSERT_TRUE(router.Prefix("/api/", api).ok());
  router.Default(fallback);
  EXPECT_EQ(&router.Find("/apiary"), &fallback);
  EXPECT_EQ(&router.Find("/apiary/x"), &fallback);
  EXPECT_EQ(&router.Find("/api"), &fallback);
  EXPECT_EQ(&router.Find("/API/x"), &fallback);
  EXPECT_EQ(&router.Find("/%61pi/x"), &fallback);  // matched as sent, before decoding
  EXPECT_EQ(&router.Find("/api/x"), &api);
}

TEST(RouterTest, NothingMountedIs404) {
  Router router;
  RequestInfo info;
  std::shared_ptr<const Response> r = router.Serve(Get("/anything"), info);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->content_type, "application/json");
  EXPECT_EQ(r->body, R"({"status":404,"description":"no such resource"})");
  NamedHandler api("api");
  ASSERT_TRUE(router.Prefix("/api/", api).ok());
  EXPECT_EQ(router.Serve(Get("/other/"), info)->status, 404);
  EXPECT_EQ(&router.Fallback(), &router.Find("/other/"));
  router.Default(api);
  EXPECT_EQ(&router.Fallback(), &api);
}

TEST(RouterTest, BadOrRepeatedMountsAreRefused) {
  NamedHandler h("h");
  Router router;
  EXPECT_EQ(router.Exact("healthz", h).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(router.Exact("/a?b", h).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(router.Prefix("/api", h).code(), absl::StatusCode::kInvalidArgument);  // no final '/'
  EXPECT_EQ(router.Prefix("/", h).code(), absl::StatusCode::kInvalidArgument);  // that is Default
  EXPECT_EQ(router.Prefix("api/", h).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(router.Exact("/healthz", h).ok());
  ASSERT_TRUE(router.Prefix("/api/", h).ok());
  absl::Status again = router.Exact("/healthz", h);
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(again.message().find("/healthz"), std::string::npos) << again;
  EXPECT_EQ(router.Prefix("/api/", h).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(router.Mounts(), (std::vector<std::string>{"/healthz", "/api/"}));
}

TEST(DispatchTest, HeadIsServedAsGetWithoutItsBody) {
  NamedHandler h("h");
  Request head = Get("/x");
  head.method = Method::kHead;
  RequestInfo info;
  std::shared_ptr<const Response> r = Dispatch(h, head, info);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->content_type, "text/plain");
  EXPECT_EQ(r->body, "");
  ASSERT_TRUE(r->head_content_length.has_value());
  EXPECT_EQ(*r->head_content_length, std::string_view("h /x 0").size());
  EXPECT_EQ(info.endpoint, "named");
  EXPECT_FALSE(Dispatch(h, Get("/x"), info)->head_content_length.has_value());
}

// Finding 13 of issue 16: a request body in a content coding was read as if it had none.
TEST(DispatchTest, ContentCodingsAre415InTheHandlersFormat) {
  NamedHandler h("h");
  Request r = Get("/x");
  r.method = Method::kPost;
  r.body = "\x1f\x8b";
  for (std::string coding : {"gzip", "identity, gzip", "br"}) {
    r.content_encoding = coding;
    RequestInfo info;
    std::shared_ptr<const Response> refused = Dispatch(h, r, info);
    EXPECT_EQ(refused->status, 415) << coding;
    EXPECT_EQ(refused->body,
              StrCat("h error: Content-Encoding '", coding,
                     "' is not supported: send the request body without a content coding"));
    ASSERT_EQ(refused->headers.size(), 1u);
    EXPECT_EQ(refused->headers[0],
              (std::pair<std::string, std::string>{"Accept-Encoding", "identity"}));
  }
  EXPECT_EQ(h.served(), 0);
  for (std::string coding : {"", "identity", " Identity "}) {
    r.content_encoding = coding;
    RequestInfo info;
    EXPECT_EQ(Dispatch(h, r, info)->status, 200) << coding;
  }
  r.content_encoding = std::string(1000, 'x');  // quoted in part only
  RequestInfo info;
  EXPECT_LT(Dispatch(h, r, info)->body.size(), 200u);
}

}  // namespace
}  // namespace kizuna::http
