// Kizuna.
#include "kizuna/detect/snapshot.h"

#include <gtest/gtest.h>

#include <string>

namespace kizuna::detect {
namespace {

TEST(SnapshotTest, IndicatorIdsParseAndFormat) {
  Uuid u{};
  ASSERT_TRUE(ParseIndicatorUuid("indicator--0123abcd-ef01-4a2B-8C3d-00ff10e0a9b7", u));
  const Uuid want = {0x01, 0x23, 0xab, 0xcd, 0xef, 0x01, 0x4a, 0x2b,
                     0x8c, 0x3d, 0x00, 0xff, 0x10, 0xe0, 0xa9, 0xb7};
  EXPECT_EQ(u, want);
  EXPECT_EQ(FormatIndicatorId(u), "indicator--0123abcd-ef01-4a2b-8c3d-00ff10e0a9b7");
  for (const char* bad : {"indicator--0123abcd-ef01-4a2b-8c3d-00ff10e0a9b",     // short
                          "indicator--0123abcd-ef01-4a2b-8c3d-00ff10e0a9b70",   // long
                          "indicator--0123abcd-ef01-4a2b-8c3d-00ff10e0a9bg",    // not hex
                          "indicator--0123abcd-ef01-4a2b-8c3d-00ff10e0a9b-",
                          "indicator--0123abcd-ef01-4a2b-8c3d:00ff10e0a9b7",    // no dash
                          "indicator--0123abcdeef01-4a2b-8c3d-00ff10e0a9b7",
                          "malware---0123abcd-ef01-4a2b-8c3d-00ff10e0a9b7",
                          "indicator--0123abcd-ef01-4a2b-8c3d-00ff10e0 9b7",
                          "indicator--0123abcd-ef01-4a2b-8c3d-00ff10e0\xff" "9b7"}) {
    EXPECT_FALSE(ParseIndicatorUuid(bad, u)) << bad;
  }
}

TEST(SnapshotTest, BuilderTakesIdsAsTextOrUuid) {
  SnapshotBuilder b(1);
  Uuid u{};
  ASSERT_TRUE(ParseIndicatorUuid("indicator--00000000-0000-4000-8000-000000000002", u));
  EXPECT_EQ(*b.AddIndicator("indicator--00000000-0000-4000-8000-000000000001"), 0u);
  EXPECT_EQ(*b.AddIndicator(u), 1u);
  EXPECT_FALSE(b.AddIndicator("indicator--nope").ok());
  const std::unique_ptr<const Snapshot> s = std::move(b).Build();
  EXPECT_EQ(s->IndicatorId(1), "indicator--00000000-0000-4000-8000-000000000002");
}

}  // namespace
}  // namespace kizuna::detect
