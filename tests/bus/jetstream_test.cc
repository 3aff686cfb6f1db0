// Kizuna. The JetStream wrapper against a real `nats-server -js` on 127.0.0.1 (skipped, saying
// why, when Debian's nats-server is not installed).
#include "kizuna/bus/jetstream.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "kizuna/base/strings.h"

extern char** environ;

namespace kizuna::bus {
namespace {

constexpr const char* kNatsServer = "/usr/sbin/nats-server";  // Debian's package

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// A `nats-server -js` on a free loopback port with a store folder of its own, stopped (and its
// folder removed) at the end.
class NatsServer {
 public:
  NatsServer() {
    char tmpl[] = "/tmp/kizuna-nats-XXXXXX";
    dir_ = mkdtemp(tmpl);
    port_ = FreePort();
    const std::string port = StrCat(port_);
    const char* argv[] = {kNatsServer,  "-js", "-a",         "127.0.0.1", "-p",
                          port.c_str(), "-sd", dir_.c_str(), nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    if (posix_spawn(&pid_, kNatsServer, &actions, nullptr, const_cast<char**>(argv), environ) != 0)
      pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~NatsServer() {
    if (pid_ > 0) {
      kill(pid_, SIGCONT);
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    std::filesystem::remove_all(dir_);
  }
  std::string url() const { return StrCat("nats://127.0.0.1:", port_); }
  void Pause() { kill(pid_, SIGSTOP); }
  void Resume() { kill(pid_, SIGCONT); }
  bool started() const { return pid_ > 0; }

 private:
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

std::unique_ptr<Bus> ConnectWithin(const std::string& url, int64_t timeout_ms) {
  for (int i = 0; i < 100; ++i) {
    BusOptions options;
    options.url = url;
    options.timeout_ms = timeout_ms;
    absl::StatusOr<std::unique_ptr<Bus>> bus = Bus::Connect(options);
    if (bus.ok()) return *std::move(bus);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return nullptr;
}

StreamSpec Stream() {
  StreamSpec spec;
  spec.name = "T";
  spec.subjects = {"t.>"};
  return spec;
}

class JetStreamTest : public testing::Test {
 protected:
  void SetUp() override {
    if (access(kNatsServer, X_OK) != 0)
      GTEST_SKIP() << "nats-server is not installed (scripts/install-deps --test)";
    server_ = std::make_unique<NatsServer>();
    ASSERT_TRUE(server_->started());
  }
  std::unique_ptr<NatsServer> server_;
};

TEST_F(JetStreamTest, EachAsynchronousPublishIsAnsweredOnce) {
  std::unique_ptr<Bus> bus = ConnectWithin(server_->url(), 5000);
  ASSERT_NE(bus, nullptr);
  ASSERT_TRUE(bus->EnsureStream(Stream()).ok());
  std::atomic<int> ok{0}, failed{0};
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(bus->PublishAsync("t.x", "data", StrCat("m", i),
                                  [&](absl::Status s) { (s.ok() ? ok : failed)++; })
                    .ok());
  }
  ASSERT_TRUE(bus->AwaitPublishes(0, 5000).ok());
  EXPECT_EQ(ok.load(), 50);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(*bus->LastSequence("T"), 50u);
}

// A Bus destroyed while its publishes are unanswered (the server stopped) waits its timeout,
// then never calls their `done`: the callers' objects they reach may be gone.
TEST_F(JetStreamTest, NoAnswerReachesCallersAfterTheBusIsGone) {
  std::unique_ptr<Bus> bus = ConnectWithin(server_->url(), 300);
  ASSERT_NE(bus, nullptr);
  ASSERT_TRUE(bus->EnsureStream(Stream()).ok());
  auto calls = std::make_shared<std::atomic<int>>(0);
  server_->Pause();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(
        bus->PublishAsync("t.x", "data", StrCat("m", i), [calls](absl::Status) { ++*calls; }).ok());
  }
  bus.reset();
  const int at_end = calls->load();
  server_->Resume();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(calls->load(), at_end) << "an answer called `done` after the Bus was destroyed";
}

}  // namespace
}  // namespace kizuna::bus
