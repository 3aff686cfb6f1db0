// Kizuna. What the TAXII client sends for each kind of peer credential, and the client keys it
// refuses to use.
#include "kizuna/sync/taxii_client.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>

#include "../store/store_test_util.h"
#include "kizuna/base/file.h"
#include "kizuna/http/router.h"
#include "kizuna/http/server.h"

namespace kizuna::sync {
namespace {

TEST(TaxiiClientTest, AuthorizationForEachCredential) {
  Endpoint e;
  e.token = "kz_0123456789abcdef_secret";
  EXPECT_EQ(AuthorizationOf(e), "Bearer kz_0123456789abcdef_secret");
  e.auth = store::PeerAuth::kBasic;
  e.basic_user = "user1";
  e.token = "Password1";
  EXPECT_EQ(AuthorizationOf(e),
            "Basic dXNlcjE6UGFzc3dvcmQx");  // RFC 7617: base64("user1:Password1")
  e.token = "pa:ss";
  EXPECT_EQ(AuthorizationOf(e), "Basic dXNlcjE6cGE6c3M=") << "a ':' in the password is kept";
  e.auth = store::PeerAuth::kNone;
  EXPECT_EQ(AuthorizationOf(e), "") << "the client certificate alone authenticates";
}

// Issue 24: a client key others can read is refused before anything is sent.
TEST(TaxiiClientTest, RefusesAClientKeyOthersCanRead) {
  store::TempDir dir;
  const std::string key = dir.File("client.key");
  ASSERT_TRUE(WriteFileAtomically(key, "not read: the mode is checked first").ok());
  ASSERT_EQ(::chmod(key.c_str(), 0644), 0);
  Endpoint e;
  e.name = "peer ais";
  e.url = "https://127.0.0.1:1";
  e.host = "127.0.0.1";
  e.port = "1";
  e.auth = store::PeerAuth::kNone;
  e.client_cert = dir.File("client.pem");
  e.client_key = key;
  TaxiiClient client(e);
  absl::StatusOr<ClientResponse> r = client.Get("/taxii2/");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("peer ais: client key: " + key + " has mode 0644"),
            absl::string_view::npos)
      << r.status();
  ASSERT_EQ(::chmod(key.c_str(), 0600), 0);
  r = client.Get("/taxii2/");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("client certificate"), absl::string_view::npos)
      << "a private key passes the mode check; the missing certificate is named next: "
      << r.status();
}

// Busy (503 with Retry-After) for the first `busy` requests, then 202 with the body it was sent.
class BusyThenAccepting : public http::Handler {
 public:
  BusyThenAccepting(int busy, std::string retry_after) : busy_(busy), retry_after_(std::move(retry_after)) {}
  std::shared_ptr<const http::Response> Serve(const http::Request& request, http::RequestInfo&) override {
    auto r = std::make_shared<http::Response>();
    if (seen_.fetch_add(1) < busy_) {
      r->status = 503;
      r->headers.emplace_back("Retry-After", retry_after_);
    } else {
      r->status = 202;
      r->body = request.body;
    }
    return r;
  }
  int seen() const { return seen_.load(); }

 private:
  const int busy_;
  const std::string retry_after_;
  std::atomic<int> seen_{0};
};

struct LoopbackServer {
  explicit LoopbackServer(http::Handler& handler) {
    router.Default(handler);
    http::ServerOptions options;
    options.port = 0;
    options.tls = false;
    options.threads = 1;
    auto started = http::Server::Start(router, options);
    EXPECT_TRUE(started.ok()) << started.status();
    server = std::move(*started);
    endpoint.name = "peer busy";
    endpoint.url = StrCat("http://127.0.0.1:", server->port());
    endpoint.tls = false;
    endpoint.host = "127.0.0.1";
    endpoint.port = StrCat(server->port());
  }
  http::Router router;
  std::unique_ptr<http::Server> server;
  Endpoint endpoint;
};

// A peer busy for a moment (503 with a short Retry-After) gets the same request again.
TEST(TaxiiClientTest, ABusyPeerIsAskedAgainAfterItsRetryAfter) {
  BusyThenAccepting handler(2, "0");
  LoopbackServer peer(handler);
  TaxiiClient client(peer.endpoint);
  absl::StatusOr<ClientResponse> r = client.Post("/intel/collections/c/objects/", R"({"objects":[]})");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(r->body, R"({"objects":[]})") << "the body is sent again whole";
  EXPECT_EQ(handler.seen(), 3);
}

TEST(TaxiiClientTest, ALongOrLastingBusyAnswerIsReturned) {
  BusyThenAccepting long_wait(1, "3600");
  LoopbackServer far(long_wait);
  absl::StatusOr<ClientResponse> r = TaxiiClient(far.endpoint).Get("/taxii2/");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 503) << "an hour is not a moment: the caller's backoff decides";
  EXPECT_EQ(long_wait.seen(), 1);

  BusyThenAccepting lasting(100, "0");
  LoopbackServer busy(lasting);
  r = TaxiiClient(busy.endpoint, ClientOptions{.busy_attempts = 3}).Get("/taxii2/");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(lasting.seen(), 3);
}

// Waits and attempts share the one deadline: a peer that keeps saying "busy" holds the
// client for `timeout_ms`, not for every attempt's own.
TEST(TaxiiClientTest, BusyRetriesStayWithinTheOneDeadline) {
  BusyThenAccepting always(100, "2");
  LoopbackServer busy(always);
  absl::StatusOr<ClientResponse> r =
      TaxiiClient(busy.endpoint, ClientOptions{.timeout_ms = 2'500, .busy_attempts = 3}).Get("/taxii2/");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 503);
  EXPECT_GE(always.seen(), 1);
  EXPECT_LE(always.seen(), 2) << "a third attempt would come after the deadline";
}

}  // namespace
}  // namespace kizuna::sync
