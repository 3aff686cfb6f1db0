// Kizuna. The parts of a feed run that need no server: CSV column renames, the schedule.
#include "kizuna/sync/feed_run.h"

#include <gtest/gtest.h>

#include "kizuna/sync/feed_runner.h"

namespace kizuna::sync {
namespace {

TEST(RenameCsvColumnsTest, RenamesTheHeaderOnly) {
  auto out = RenameCsvColumns("ip,threat,seen\r\n192.0.2.1,botnet,ip\n", "value=ip,family=threat");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "value,family,seen\r\n192.0.2.1,botnet,ip\n");
  EXPECT_EQ(RenameCsvColumns("a\n", "value").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RenameCsvColumns("a\n", "=a").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(NextRunTest, PeriodAfterSuccessBackoffAfterFailures) {
  store::Feed f;
  f.every_us = 3600'000'000;
  EXPECT_EQ(NextRunUs(f, 5'000'000), 0) << "a feed that never ran is due";
  f.last_run_us = 1'000'000;
  EXPECT_EQ(NextRunUs(f, 5'000'000), 3601'000'000);
  f.failures = 1;
  EXPECT_EQ(NextRunUs(f, 5'000'000), 6'000'000);
  f.failures = 3;
  EXPECT_EQ(NextRunUs(f, 5'000'000), 21'000'000);
  f.failures = 30;
  EXPECT_EQ(NextRunUs(f, 5'000'000), 3601'000'000) << "never later than the period";
}

TEST(FeedMetricsTest, OneSeriesPerFeed) {
  store::Feed f;
  f.name = "ipsum";
  f.new_objects = 7;
  std::string text = FeedMetricsText({f});
  EXPECT_NE(text.find("kizuna_feed_objects_new_total{feed=\"ipsum\"} 7\n"), std::string::npos) << text;
  EXPECT_EQ(FeedMetricsText({}), "");
}

}  // namespace
}  // namespace kizuna::sync
