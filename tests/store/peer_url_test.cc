// Kizuna. Partner URLs: plain http:// only to loopback hosts (finding 8 of issue 16).
#include "kizuna/store/peer_url.h"

#include <gtest/gtest.h>

namespace kizuna::store {
namespace {

struct Accepted {
  std::string_view url;
  bool tls;
  std::string_view host, port;
};

TEST(PeerUrlTest, Accepts) {
  const Accepted cases[] = {
      {"https://usa.example:8443", true, "usa.example", "8443"},
      {"https://usa.example", true, "usa.example", "443"},
      {"https://10.1.2.3:8443/taxii2", true, "10.1.2.3", "8443"},
      {"https://[2001:db8::1]:8443", true, "2001:db8::1", "8443"},
      {"http://127.0.0.1:8080", false, "127.0.0.1", "8080"},
      {"http://127.255.0.9", false, "127.255.0.9", "80"},
      {"http://localhost:9000", false, "localhost", "9000"},
      {"http://LocalHost:9000", false, "LocalHost", "9000"},
      {"http://[::1]:9000", false, "::1", "9000"},
      {"http://[0:0:0:0:0:0:0:1]:9000", false, "0:0:0:0:0:0:0:1", "9000"},
  };
  for (const Accepted& c : cases) {
    auto url = ParsePeerUrl(c.url);
    ASSERT_TRUE(url.ok()) << c.url << ": " << url.status();
    EXPECT_EQ(url->tls, c.tls) << c.url;
    EXPECT_EQ(url->host, c.host) << c.url;
    EXPECT_EQ(url->port, c.port) << c.url;
  }
}

TEST(PeerUrlTest, RefusesPlainHttpBeyondLoopback) {
  for (std::string_view url :
       {"http://10.1.2.3:8443", "http://usa.example:8443", "http://128.0.0.1",
        "http://[2001:db8::1]:80", "http://[::ffff:127.0.0.1]:80", "http://127.0.0.1.evil.example",
        "http://localhost.evil.example", "http://0x7f000001", "http://2130706433",
        "http://127.1:80", "http://0.0.0.0:80"}) {
    auto parsed = ParsePeerUrl(url);
    ASSERT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << url;
    std::string message(parsed.status().message());
    EXPECT_NE(message.find(std::string(url)), std::string::npos) << "names the URL: " << message;
    EXPECT_NE(message.find("loopback"), std::string::npos) << "names the rule: " << message;
  }
  auto parsed = ParsePeerUrl("http://10.1.2.3:8443");
  EXPECT_NE(parsed.status().message().find("127.0.0.0/8, ::1, localhost"), absl::string_view::npos)
      << parsed.status();
}

TEST(PeerUrlTest, RefusesMalformedUrls) {
  for (std::string_view url :
       {"ftp://x", "usa.example:8443", "https://", "https://:8443",
        "https://host:", "https://host:0", "https://host:65536", "https://host:80a", "https://[::1",
        "https://[::1]x", "http://127.0.0.1@evil.example", "https://user@host", "https://ho st",
        "https://2001:db8::1:8443"}) {
    EXPECT_EQ(ParsePeerUrl(url).status().code(), absl::StatusCode::kInvalidArgument) << url;
  }
}

TEST(PeerUrlTest, LoopbackHosts) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.9.8.7"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("126.255.255.255"));
  EXPECT_FALSE(IsLoopbackHost("::2"));
  EXPECT_FALSE(IsLoopbackHost("localhost."));
  EXPECT_FALSE(IsLoopbackHost(""));
}

}  // namespace
}  // namespace kizuna::store
