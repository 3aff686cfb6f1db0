// Kizuna.
#include "kizuna/node/config.h"

#include <gtest/gtest.h>

namespace kizuna::node {
namespace {

TEST(ConfigTest, TheExampleFileParsesWithItsDocumentedDefaults) {
  auto c = LoadConfig(KIZUNA_SOURCE_DIR "/examples/kizuna.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  NodeConfig defaults;
  EXPECT_EQ(c->server.port, 8443);
  EXPECT_EQ(c->server.address, "127.0.0.1");
  EXPECT_TRUE(c->server.tls);
  EXPECT_EQ(c->server.max_header_bytes, defaults.server.max_header_bytes);
  EXPECT_EQ(c->server.request_timeout, defaults.server.request_timeout);
  EXPECT_EQ(c->server.idle_timeout, defaults.server.idle_timeout);
  EXPECT_EQ(c->server.max_connections, defaults.server.max_connections);
  EXPECT_EQ(c->server.max_connections_per_client, defaults.server.max_connections_per_client);
  EXPECT_EQ(c->server.reserved_connections, defaults.server.reserved_connections);
  EXPECT_EQ(c->server.max_pending_writes, defaults.server.max_pending_writes);
  EXPECT_EQ(c->server.write_threads, defaults.server.write_threads);
  EXPECT_EQ(c->auth.per_client.max_failures, defaults.auth.per_client.max_failures);
  EXPECT_EQ(c->auth.per_client.block_us, defaults.auth.per_client.block_us);
  EXPECT_EQ(c->auth.per_client.max_keys, defaults.auth.per_client.max_keys);
  EXPECT_EQ(c->auth.slow_checks.per_second, defaults.auth.slow_checks.per_second);
  EXPECT_EQ(c->auth.slow_checks.burst, defaults.auth.slow_checks.burst);
  EXPECT_EQ(c->service.pages.default_limit, defaults.service.pages.default_limit);
  EXPECT_EQ(c->service.pages.max_limit, defaults.service.pages.max_limit);
  EXPECT_EQ(c->service.default_max_content_length, defaults.service.default_max_content_length);
  EXPECT_EQ(c->service.max_envelope_objects, defaults.service.max_envelope_objects);
  EXPECT_EQ(c->service.max_status_details, defaults.service.max_status_details);
  EXPECT_EQ(c->service.status_retention_us, defaults.service.status_retention_us);
  EXPECT_EQ(c->service.title, defaults.service.title);
  ASSERT_EQ(c->api_roots.size(), 1u);
  EXPECT_EQ(c->api_roots[0].name, "intel");
}

TEST(ConfigTest, AuthenticationLimitsAreRead) {
  auto c = ParseConfig(
      "auth:\n  max_failures_per_client: 5\n  client_block_ms: 1500\n  max_tracked_clients: 16\n"
      "  slow_checks_per_second: 1\n  slow_check_burst: 2\n",
      "cfg.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->auth.per_client.max_failures, 5);
  EXPECT_EQ(c->auth.per_client.block_us, 1'500'000);
  EXPECT_EQ(c->auth.per_client.max_keys, 16u);
  EXPECT_EQ(c->auth.slow_checks.per_second, 1);
  EXPECT_EQ(c->auth.slow_checks.burst, 2);
}

TEST(ConfigTest, ConsoleSettingsAreRead) {
  auto c = ParseConfig("console:\n  dir: /srv/console\n  idle_timeout_s: 2\n  absolute_timeout_s: 60\n"
                       "  max_import_bytes: 4096\n",
                       "cfg.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->console.dir, "/srv/console");
  EXPECT_EQ(c->console.sessions.idle_timeout_us, 2'000'000);
  EXPECT_EQ(c->console.sessions.absolute_timeout_us, 60'000'000);
  EXPECT_EQ(c->console.max_import_bytes, 4096u);
  NodeConfig defaults;
  EXPECT_EQ(defaults.console.sessions.idle_timeout_us, int64_t{30} * 60 * 1'000'000);
  EXPECT_EQ(defaults.console.sessions.absolute_timeout_us, int64_t{12} * 3600 * 1'000'000);
  EXPECT_FALSE(ParseConfig("console:\n  idle_timeout_s: 0\n", "cfg.yaml").ok());
  EXPECT_FALSE(ParseConfig("console:\n  max_import_bytes: 10\n", "cfg.yaml").ok());
  EXPECT_FALSE(ParseConfig("console:\n  colour: red\n", "cfg.yaml").ok());
}

TEST(ConfigTest, ConnectionAndWriteLimitsAreRead) {
  auto c = ParseConfig(
      "write_threads: 3\nlimits:\n  max_connections_per_client: 4\n  reserved_connections: 2\n"
      "  max_pending_writes: 3\n",
      "cfg.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->server.write_threads, 3u);
  EXPECT_EQ(c->server.max_connections_per_client, 4u);
  EXPECT_EQ(c->server.reserved_connections, 2u);
  EXPECT_EQ(c->server.max_pending_writes, 3u);
}

TEST(ConfigTest, EmptyFileMeansDefaults) {
  auto c = ParseConfig("", "empty.yaml");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->api_roots.empty());
}

TEST(ConfigTest, MetricsPublicIsAnOperationsSetting) {
  auto c = ParseConfig("metrics_public: true\n", "m.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->operations.metrics_public);
  EXPECT_FALSE(NodeConfig{}.operations.metrics_public);
}

TEST(ConfigTest, StatusKeys) {
  auto c = ParseConfig("limits:\n  max_envelope_objects: 50\nstatuses:\n  max_details: 0\n  retention_s: 2\n", "s.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->service.max_envelope_objects, 50u);
  EXPECT_EQ(c->service.max_status_details, 0u);
  EXPECT_EQ(c->service.status_retention_us, 2'000'000);
}

TEST(ConfigTest, ErrorsNameKeyAndLine) {
  struct Case { const char* yaml; const char* message; };
  for (auto c : {Case{"listen:\n  port: eighty\n", "cfg.yaml:2: listen.port: expected a number"},
                 Case{"listen:\n  prot: 80\n", "cfg.yaml:2: listen.prot: unknown key"},
                 Case{"tls:\n  enabled: maybe\n", "tls.enabled: expected true or false"},
                 Case{"limits:\n  request_timeout_ms: 0\n", "must be positive"},
                 Case{"limits:\n  default_page: 50\n  max_page: 10\n", "default_page <= max_page"},
                 Case{"api_roots:\n  - title: x\n", "api_roots[].name: required"},
                 Case{"statuses:\n  retention_s: 0\n", "cfg.yaml:2: statuses.retention_s: must be 1.."},
                 Case{"statuses:\n  max_details: 200000\n", "statuses.max_details: at most 100000"},
                 Case{"limits:\n  max_envelope_objects: 0\n", "limits.max_envelope_objects: must be 1.."},
                 Case{"api_roots: 5\n", "expected a list"},
                 Case{"listen: [1, 2\n", "cfg.yaml:"},
                 Case{"- just\n- a list\n", "expected a mapping"},
                 Case{"limits:\n  max_connections: 8\n  reserved_connections: 8\n", "must be less than max_connections"},
                 Case{"limits:\n  max_pending_writes: 0\n", "at least 1"},
                 Case{"auth:\n  client_block_ms: 0\n", "every limit must be positive"},
                 Case{"auth:\n  max_failures: 3\n", "auth.max_failures: unknown key"}}) {
    auto r = ParseConfig(c.yaml, "cfg.yaml");
    ASSERT_FALSE(r.ok()) << c.yaml;
    EXPECT_NE(r.status().message().find(c.message), std::string::npos) << c.yaml << " gave " << r.status();
  }
}

}  // namespace
}  // namespace kizuna::node
