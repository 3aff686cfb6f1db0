// Kizuna.
#include "kizuna/base/input_file.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "kizuna/base/file.h"

namespace kizuna {
namespace {

std::string TempPath(const char* name) {
  return (std::filesystem::temp_directory_path() /
          (std::string("kizuna_input_file_test_") + std::to_string(::getpid()) + name))
      .string();
}

// The padding after the text reads as zero bytes, also when the file ends exactly at a page
// boundary (the bytes after it are then a page of their own).
void ExpectPadded(std::string_view text) {
  for (size_t i = 0; i < simdjson::SIMDJSON_PADDING; ++i) {
    ASSERT_EQ(text.data()[text.size() + i], '\0') << "padding byte " << i;
  }
}

TEST(InputFileTest, MapsARegularFileWithPadding) {
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  for (size_t size : {size_t{1}, size_t{100}, page - 1, page, 3 * page}) {
    const std::string path = TempPath("plain");
    const std::string data(size, 'x');
    ASSERT_TRUE(WriteFileAtomically(path, data).ok());
    auto in = InputFile::Open(path, 1 << 20);
    ASSERT_TRUE(in.ok()) << in.status();
    EXPECT_TRUE((*in)->mapped());
    EXPECT_EQ((*in)->text(), data);
    ExpectPadded((*in)->text());
    std::remove(path.c_str());
  }
}

TEST(InputFileTest, GzipIsUndoneIntoACopy) {
  const std::string plain = "{\"type\":\"bundle\"}";
  std::string gz(compressBound(plain.size()) + 64, '\0');
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  zs.avail_in = plain.size();
  zs.next_out = reinterpret_cast<Bytef*>(gz.data());
  zs.avail_out = gz.size();
  deflate(&zs, Z_FINISH);
  gz.resize(zs.total_out);
  deflateEnd(&zs);
  const std::string path = TempPath("gz");
  ASSERT_TRUE(WriteFileAtomically(path, gz).ok());
  auto in = InputFile::Open(path, 1 << 20);
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_FALSE((*in)->mapped());
  EXPECT_EQ((*in)->text(), plain);
  ExpectPadded((*in)->text());
  std::remove(path.c_str());
}

TEST(InputFileTest, ErrorsNameThePath) {
  auto missing = InputFile::Open("/nonexistent/kizuna-input", 1024);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(std::string(missing.status().message()).find("/nonexistent/kizuna-input"),
            std::string::npos);
  const std::string path = TempPath("big");
  ASSERT_TRUE(WriteFileAtomically(path, std::string(2048, 'x')).ok());
  auto big = InputFile::Open(path, 1024);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(std::string(big.status().message()).find(path), std::string::npos);
  std::remove(path.c_str());
}

TEST(InputFileTest, EmptyFileHasEmptyText) {
  const std::string path = TempPath("empty");
  ASSERT_TRUE(WriteFileAtomically(path, "").ok());
  auto in = InputFile::Open(path, 1024);
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_TRUE((*in)->text().empty());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace kizuna
