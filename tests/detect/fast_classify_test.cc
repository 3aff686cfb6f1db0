// Kizuna. The compiler's fast path gives exactly what parsing, validating and classifying give.
#include "kizuna/detect/fast_classify.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"
#include "kizuna/pattern/parser.h"
#include "kizuna/pattern/validator.h"

namespace kizuna::detect {
namespace {

std::string Describe(const std::vector<SimpleKey>& keys) {
  std::string out;
  for (const SimpleKey& k : keys) {
    StrAppend(out, static_cast<int>(k.kind), "/", static_cast<int>(k.slot), "/", k.text, "/",
              k.v4, "/", k.block.v6, ":", k.block.v4, ":", static_cast<uint64_t>(k.block.v6_address),
              ":", static_cast<uint64_t>(k.block.v6_address >> 64), "/", k.block.prefix, "/", k.port,
              ";");
  }
  return out;
}

// The full path: nullopt when the pattern is invalid or not simple.
std::optional<std::vector<SimpleKey>> FullClassify(std::string_view text, bool& valid) {
  const pattern::PatternLimits limits;
  auto ast = pattern::Parse(text, pattern::ParseOptions{pattern::StixVersion::k21, limits});
  valid = ast.ok() && pattern::Validate(**ast, limits).ok();
  if (!valid) return std::nullopt;
  return Classify(**ast);
}

// Returns whether the fast path decided `text`; fails the test if it disagrees.
bool Agrees(std::string_view text) {
  const std::optional<std::vector<SimpleKey>> fast = FastClassify(text, pattern::PatternLimits());
  if (!fast) return false;
  bool valid = false;
  const std::optional<std::vector<SimpleKey>> full = FullClassify(text, valid);
  EXPECT_TRUE(valid) << "the fast path accepted an invalid pattern: " << text;
  EXPECT_TRUE(full.has_value()) << "the fast path found keys in a pattern that has none: " << text;
  if (full) {
    EXPECT_EQ(Describe(*fast), Describe(*full)) << text;
  }
  return true;
}

TEST(FastClassifyTest, TheCommonShapesAreReadAndAgree) {
  for (const char* p : {
           "[domain-name:value = 'evil.example']",
           "[domain-name:value == 'evil.example']",
           "[ipv4-addr:value = '198.51.100.7']",
           "[ipv4-addr:value = '198.51.100.07']",  // not canonical: a string key
           "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
           "[ipv4-addr:value ISSUBSET '198.51.100.1/32']",
           "[ipv4-addr:value ISSUBSET '0.0.0.0/0']",
           "[ipv6-addr:value = '2001:db8::1']",
           "[url:value = 'http://a.example/x?y=1&z=%20']",
           "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
           "[file:hashes.'SHA-256' = "
           "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
           "[file:hashes.'MD5' = 'D41D8CD98F00B204E9800998ECF8427E']",
           "[file:name = 'payload.exe']",
           "[email-addr:value = 'a@b.example']",
           "[domain-name:value IN ('a.example', 'b.example','c.example')]",
           "[domain-name:value = 'a.example' OR ipv4-addr:value = '10.0.0.1']",
           "[domain-name:value = 'a.example'] OR [url:value = 'http://b.example/']",
           "[domain-name:value = 'a.example' OR domain-name:value = 'b.example'] OR "
           "[ipv4-addr:value IN ('10.0.0.1', '10.0.0.2')]",
           "  [domain-name:value   =   'a.example']  ",
           "[domain-name:value='a.example']OR[domain-name:value='b.example']",
           "[domain-name:value LIKE '%.example']",
           "[domain-name:value = 'a.example' OR domain-name:value LIKE '%.a.example']",
           "[ipv4-addr:value = '']",
       }) {
    EXPECT_TRUE(Agrees(p)) << "not read by the fast path: " << p;
  }
}

TEST(FastClassifyTest, EverythingElseTakesTheFullPath) {
  for (const char* p : {
           "[domain-name:value = 'a\\'b.example']",          // escapes
           "[domain-name:value = 'caf\xc3\xa9.example']",     // non-ASCII
           "[domain-name:value\t= 'a.example']",              // other whitespace
           "[domain-name:value LIKE 'a%.example']",           // not a suffix
           "[domain-name:value LIKE '%.ex_ample']",           // a wildcard in the suffix
           "[url:value LIKE '%.example']",                    // not a domain
           "[domain-name:value NOT = 'a.example']",
           "[domain-name:value != 'a.example']",
           "[domain-name:value = 'a.example' AND domain-name:value = 'b.example']",
           "[domain-name:value = 'a.example'] AND [url:value = 'x']",
           "([domain-name:value = 'a.example'])",
           "[domain-name:value = 'a.example'] WITHIN 5 SECONDS",
           "[x-custom:value = 'a']",                          // not an indexed path
           "[file:hashes.MD5 = 'not-a-hash']",                // invalid: bad-hash
           "[file:hashes.'SHA-256' = 'abc']",                 // invalid: bad-hash
           "[ipv4-addr:value ISSUBSET '10.0.0.0/33']",        // invalid: bad-cidr
           "[ipv4-addr:value ISSUBSET 'ten']",
           "[ipv6-addr:value ISSUBSET '2001:db8::/32']",
           "[file:hashes.SHA-256 = 'abc']",                   // '-' unquoted
           "[network-traffic:dst_port = 80]",
           "[domain-name:value IN ()]",
           "[domain-name:value = 'a.example'",
           "[domain-name:value = 'a.example'] OR",
           "[domain-name:value = 'a.example'] or [url:value = 'x']",
           "[file:parent_directory_ref.path = 'C:\\\\x']",
       }) {
    EXPECT_FALSE(Agrees(p)) << "read by the fast path: " << p;
  }
}

TEST(FastClassifyTest, AgreesOnThePatternTestCases) {
  size_t patterns = 0;
  for (const auto& entry : std::filesystem::directory_iterator(KIZUNA_SOURCE_DIR "/tests/pattern/cases")) {
    auto file = ReadFile(entry.path().string(), 1 << 24);
    ASSERT_TRUE(file.ok());
    const std::string_view text(file->data(), file->size());
    size_t at = 0;
    while (at < text.size()) {
      const size_t nl = std::min(text.find('\n', at), text.size());
      const std::string_view line = text.substr(at, nl - at);
      at = nl + 1;
      const size_t bar = line.find(" | ");
      if (bar == std::string_view::npos || line.starts_with("#")) continue;
      ++patterns;
      Agrees(line.substr(bar + 3));
    }
  }
  EXPECT_GT(patterns, 3000u);
}

// Random patterns built from the shapes' tokens and near misses: whatever the fast path
// reads, the full path reads the same.
TEST(FastClassifyTest, AgreesOnRandomPatterns) {
  const std::vector<std::string> pieces = {
      "[", "]", " ", "  ", "OR", " OR ", "AND", "NOT", "(", ")", ",", "=", "==", "IN", "ISSUBSET",
      "LIKE", "domain-name:value", "ipv4-addr:value", "ipv6-addr:value", "url:value",
      "file:hashes.MD5", "file:hashes.'SHA-256'", "file:hashes.'SHA-1'", "file:name",
      "email-addr:value", "network-traffic:dst_ref.value", "x509-certificate:hashes.'SHA-1'",
      "'a.example'", "'10.0.0.1'", "'10.0.0.0/8'", "'10.1.2.3/33'", "'::1'", "''",
      "'d41d8cd98f00b204e9800998ecf8427e'", "'da39a3ee5e6b4b0d3255bfef95601890afd80709'",
      "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'", "'x'", "'",
      "80", "\t", ".", ":", "'%.example'"};
  uint64_t x = 0x9E3779B97F4A7C15ull;
  auto next = [&x] {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    return x;
  };
  size_t read = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string p;
    if (i % 2 == 0) {
      // A shape: [path op value (OR path op value)*] (OR [...])*, pieces picked at random.
      const int observations = 1 + static_cast<int>(next() % 2);
      for (int o = 0; o < observations; ++o) {
        if (o > 0) p += " OR ";
        p += "[";
        const int comparisons = 1 + static_cast<int>(next() % 3);
        for (int c = 0; c < comparisons; ++c) {
          if (c > 0) p += " OR ";
          p += pieces[16 + next() % 11];
          const uint64_t op = next() % 4;
          p += op == 0 ? " = " : op == 1 ? " IN (" : op == 2 ? " ISSUBSET " : " == ";
          p += pieces[27 + next() % 10];
          if (op == 1) p += next() % 2 ? ", " + pieces[27 + next() % 10] + ")" : ")";
        }
        p += "]";
      }
      if (next() % 4 == 0) p[next() % p.size()] = pieces[next() % pieces.size()][0];
    } else {
      const int n = 1 + static_cast<int>(next() % 12);
      for (int k = 0; k < n; ++k) p += pieces[next() % pieces.size()];
    }
    read += Agrees(p);
  }
  EXPECT_GT(read, 10000u);
}

}  // namespace
}  // namespace kizuna::detect
