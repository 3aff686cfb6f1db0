// Kizuna.
#include "kizuna/base/file.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

namespace kizuna {
namespace {

std::string TempPath(const char* name) {
  return (std::filesystem::temp_directory_path() / (std::string("kizuna_file_test_") + name)).string();
}

std::string Gzip(std::string_view data) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(compressBound(data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = data.size();
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = out.size();
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

TEST(FileTest, ReadsPlainFile) {
  std::string path = TempPath("plain");
  ASSERT_TRUE(WriteFileAtomically(path, "{\"a\":1}").ok());
  auto data = ReadFile(path, 1024);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(std::string_view(*data), "{\"a\":1}");
  std::remove(path.c_str());
}

TEST(FileTest, MissingFileNamesPath) {
  auto data = ReadFile("/nonexistent/kizuna.json", 1024);
  EXPECT_EQ(data.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(data.status().message().find("/nonexistent/kizuna.json"), std::string::npos);
}

TEST(FileTest, OverLimitIsResourceExhausted) {
  std::string path = TempPath("big");
  ASSERT_TRUE(WriteFileAtomically(path, std::string(100, 'x')).ok());
  EXPECT_EQ(ReadFile(path, 10).status().code(), absl::StatusCode::kResourceExhausted);
  std::remove(path.c_str());
}

TEST(FileTest, GzipIsUndone) {
  std::string path = TempPath("gz");
  ASSERT_TRUE(WriteFileAtomically(path, Gzip("hello gzip")).ok());
  auto data = ReadFile(path, 1024);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(std::string_view(*data), "hello gzip");
  std::remove(path.c_str());
}

TEST(FileTest, TruncatedGzipIsAnError) {
  std::string gz = Gzip(std::string(10000, 'a') + "tail");
  auto out = Gunzip(std::string_view(gz).substr(0, gz.size() / 2), 1 << 20);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(out.status().message().find("truncated"), std::string::npos) << out.status();
}

TEST(FileTest, GzipBombStopsAtLimit) {
  std::string gz = Gzip(std::string(1 << 20, 'a'));
  EXPECT_EQ(Gunzip(gz, 1000).status().code(), absl::StatusCode::kResourceExhausted);
}

// Issue 24: a file holding a secret (a peer's password, a client key) is its owner's alone.
TEST(FileTest, PrivateFilesMustBeTheirOwnersAlone) {
  std::string path = TempPath("private");
  ASSERT_TRUE(WriteFileAtomically(path, "user1:Password1\n").ok());  // 0600
  EXPECT_TRUE(CheckPrivateFile(path).ok());
  auto text = ReadPrivateFile(path, 1024);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, "user1:Password1\n");
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  EXPECT_TRUE(ReadPrivateFile(path, 1024).ok());
  for (mode_t mode : {0640, 0604, 0644}) {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    absl::Status s = ReadPrivateFile(path, 1024).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_NE(s.message().find("chmod 600 " + path), absl::string_view::npos) << s;
    EXPECT_EQ(CheckPrivateFile(path).code(), absl::StatusCode::kFailedPrecondition);
  }
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  EXPECT_NE(CheckPrivateFile(path).message().find("mode 0644"), absl::string_view::npos);
  std::remove(path.c_str());
  EXPECT_EQ(ReadPrivateFile(path, 1024).status().code(), absl::StatusCode::kNotFound);
}

// A secret's file must also be this user's (or root's): another account could change it.
TEST(FileTest, PrivateFilesOfAnotherUserAreRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "giving a file to another user needs root";
  std::string path = TempPath("theirs");
  ASSERT_TRUE(WriteFileAtomically(path, "secret\n").ok());  // 0600
  ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0);        // nobody
  for (absl::Status s : {CheckPrivateFile(path), ReadPrivateFile(path, 1024).status()}) {
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_NE(s.message().find("belongs to user 65534"), absl::string_view::npos) << s;
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace kizuna
