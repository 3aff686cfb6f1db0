// Kizuna. The HTTP server on 127.0.0.1 with handlers that know nothing of TAXII: routing by
// mount, each handler's body limit and error format, HEAD, content codings, the access log.
#include "kizuna/http/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <vector>

#include "test_client.h"
#include "test_handler.h"

namespace kizuna::http {
namespace {

using boost::beast::http::verb;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(router_.Prefix("/files/", files_).ok());
    router_.Default(fallback_);
    ServerOptions options;
    options.port = 0;
    options.tls = false;
    options.threads = 1;
    options.access_log = [this](std::string_view line) {
      std::lock_guard<std::mutex> lock(mu_);
      log_.emplace_back(line);
    };
    options.clock = &clock_;
    auto started = Server::Start(router_, options);
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = std::move(*started);
  }

  FakeClock clock_{1700000000123456};  // 2023-11-14T22:13:20.123456Z
  NamedHandler files_{"files", 16};
  NamedHandler fallback_{"default"};
  Router router_;
  std::unique_ptr<Server> server_;
  std::mutex mu_;
  std::vector<std::string> log_;
};

// A stopped server's port takes no connection: the acceptor is closed even when the loops
// stop before the close posted to them runs (nothing to wait for), so a client is refused
// instead of waiting forever on a connection no one answers.
TEST_F(ServerTest, AStoppedServerRefusesConnections) {
  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE(round);
    ServerOptions options;
    options.port = 0;
    options.tls = false;
    options.threads = 2;
    auto started = Server::Start(router_, options);
    ASSERT_TRUE(started.ok()) << started.status();
    const uint16_t port = (*started)->port();
    (*started)->Stop();
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int connected = ::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof(to));
    const int err = errno;
    ::close(fd);
    EXPECT_NE(connected, 0) << "port " << port << " still takes connections";
    EXPECT_EQ(err, ECONNREFUSED);
  }
}

TEST_F(ServerTest, EachRequestGoesToTheHandlerOfItsPath) {
  TestReply a = Fetch(server_->port(), verb::get, "/files/logo.svg?v=1");
  EXPECT_EQ(a.status, 200) << a.error;
  EXPECT_EQ(a.body, "files /files/logo.svg 0");
  EXPECT_EQ(a.content_type, "text/plain");
  TestReply b = Fetch(server_->port(), verb::get, "/filesystem");
  EXPECT_EQ(b.body, "default /filesystem 0") << b.error;
  TestReply head = Fetch(server_->port(), verb::head, "/files/logo.svg");
  EXPECT_EQ(head.status, 200) << head.error;
  EXPECT_EQ(head.content_length,
            std::to_string(std::string_view("files /files/logo.svg 0").size()));
  EXPECT_EQ(head.body, "");
}

TEST_F(ServerTest, BodyLimitsAndErrorsAreTheHandlers) {
  std::string seventeen(17, 'x');
  TestReply big = Fetch(server_->port(), verb::post, "/files/upload", {}, seventeen);
  EXPECT_EQ(big.status, 413) << big.error;
  EXPECT_EQ(big.body, "files error: the request body is larger than the test limit (16 octets)");
  EXPECT_EQ(Fetch(server_->port(), verb::post, "/files/upload", {}, std::string(16, 'x')).body,
            "files /files/upload 16");
  EXPECT_EQ(Fetch(server_->port(), verb::post, "/elsewhere", {}, seventeen).body,
            "default /elsewhere 17");
  TestReply coded =
      Fetch(server_->port(), verb::post, "/files/upload", {{"Content-Encoding", "gzip"}}, "x");
  EXPECT_EQ(coded.status, 415) << coded.error;
  EXPECT_TRUE(coded.body.starts_with("files error: Content-Encoding 'gzip'")) << coded.body;
  EXPECT_EQ(files_.served(), 1);
}

TEST_F(ServerTest, TheAccessLogNamesEndpointAndStatus) {
  ASSERT_EQ(Fetch(server_->port(), verb::get, "/files/a").status, 200);
  ASSERT_EQ(Fetch(server_->port(), verb::post, "/files/a", {}, std::string(17, 'x')).status, 413);
  server_->Stop();  // every line is written once the server has stopped
  std::lock_guard<std::mutex> lock(mu_);
  ASSERT_EQ(log_.size(), 2u);
  EXPECT_NE(log_[0].find(R"("method":"GET","target":"/files/a","endpoint":"named","status":200)"),
            std::string::npos)
      << log_[0];
  EXPECT_NE(log_[1].find(R"("status":413)"), std::string::npos) << log_[1];
  // The time comes from the injected clock.
  EXPECT_TRUE(log_[0].starts_with(R"({"time":"2023-11-14T22:13:20.123456Z",)")) << log_[0];
}

}  // namespace
}  // namespace kizuna::http
