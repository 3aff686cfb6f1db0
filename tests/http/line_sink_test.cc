// Kizuna.
#include "kizuna/http/line_sink.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <thread>
#include <vector>

#include "../store/store_test_util.h"
#include "kizuna/base/file.h"

namespace kizuna::http {
namespace {

TEST(LineSinkTest, AppendsWholeLinesToAFileClosedToOthers) {
  store::TempDir dir;
  const std::string path = dir.File("access.log");
  ASSERT_TRUE(WriteFileAtomically(path, "earlier\n").ok());
  ::chmod(path.c_str(), 0600);
  {
    absl::StatusOr<std::unique_ptr<LineSink>> sink = LineSink::Open(path);
    ASSERT_TRUE(sink.ok()) << sink.status();
    auto write = (*sink)->Writer();
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&write, t] {
        for (int i = 0; i < 100; ++i) write(std::string(50, static_cast<char>('a' + t)));
      });
    }
    for (std::thread& t : threads) t.join();
  }
  absl::StatusOr<simdjson::padded_string> text = ReadFile(path, 1 << 20);
  ASSERT_TRUE(text.ok()) << text.status();
  std::string_view all(*text);
  ASSERT_TRUE(all.starts_with("earlier\n"));
  all.remove_prefix(8);
  size_t lines = 0;
  while (!all.empty()) {
    size_t end = all.find('\n');
    ASSERT_EQ(end, 50u) << "a line was cut or mixed with another";
    EXPECT_EQ(all.substr(0, 50), std::string(50, all[0]));
    all.remove_prefix(51);
    ++lines;
  }
  EXPECT_EQ(lines, 400u);

  const std::string fresh = dir.File("new.log");
  ASSERT_TRUE(LineSink::Open(fresh).ok());
  struct stat st {};
  ASSERT_EQ(::stat(fresh.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);  // the log names users and their addresses
}

TEST(LineSinkTest, AFileThatCannotBeOpenedIsNamed) {
  absl::StatusOr<std::unique_ptr<LineSink>> sink = LineSink::Open("/nonexistent-dir/access.log");
  ASSERT_FALSE(sink.ok());
  EXPECT_EQ(sink.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(sink.status().message().find("/nonexistent-dir/access.log"), std::string::npos)
      << sink.status();
}

}  // namespace
}  // namespace kizuna::http
