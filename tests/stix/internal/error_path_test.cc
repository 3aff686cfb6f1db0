// Kizuna.
#include "kizuna/stix/internal/error_path.h"

#include <gtest/gtest.h>

namespace kizuna::stix_internal {
namespace {

TEST(ErrorPathTest, FormatsKeysAndIndexes) {
  ErrorPath path;
  EXPECT_EQ(path.ToString(), "(object)");
  path.PushKey("external_references");
  path.PushIndex(2);
  path.PushKey("source_name");
  EXPECT_EQ(path.ToString(), "external_references[2].source_name");
  path.Pop();
  path.Pop();
  path.PushKey("hashes");
  EXPECT_EQ(path.ToString(), "external_references.hashes");
}

TEST(ErrorPathTest, DeeperThanCapacityIsShortened) {
  ErrorPath path;
  path.PushKey("x_deep");
  for (int i = 0; i < 1000; ++i) path.PushIndex(0);
  std::string text = path.ToString();
  EXPECT_EQ(text.substr(0, 12), "x_deep[0][0]");
  EXPECT_EQ(text.substr(text.size() - 3), "...");
  EXPECT_LT(text.size(), 400u);
  for (int i = 0; i < 1000; ++i) path.Pop();
  EXPECT_EQ(path.ToString(), "x_deep");
}

TEST(ErrorPathTest, PrintableEscapesAndShortens) {
  EXPECT_EQ(Printable("plain"), "plain");
  EXPECT_EQ(Printable("a\"b\\c\n"), "a\\\"b\\\\c\\x0a");
  EXPECT_EQ(Printable(std::string(100, 'a'), 10), "aaaaaaaaaa...");
  // Never cuts a UTF-8 sequence: "é" is two bytes.
  EXPECT_EQ(Printable("aé", 2), "a...");
}

}  // namespace
}  // namespace kizuna::stix_internal
