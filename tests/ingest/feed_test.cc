// Kizuna. Plain lists and sightings come in through an Importer: checked, counted, rejected
// with their reasons (issue 17: one ingest path).
#include "kizuna/ingest/feed.h"

#include <gtest/gtest.h>

#include "../store/store_test_util.h"

namespace kizuna::ingest {
namespace {

class FeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::SqliteStore::Open(dir_.File("kizuna.db"), clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->CreateApiRoot({"root", "Root", "", 0}).ok());
    collection_ = store_->CreateCollection({"", "root", "intel", "Intel", "", 0})->id;
  }

  store::TempDir dir_;
  FakeClock clock_{1700000000000000};
  std::unique_ptr<store::SqliteStore> store_;
  std::string collection_;
};

TEST_F(FeedTest, ValuesNoPatternFitsAreRejectedWithTheirLine) {
  ImportOptions options;
  options.format = stix::DocumentFormat::kJsonLines;
  Importer importer(*store_, collection_, options);
  detect::FeedOptions feed_options;
  feed_options.family = "emotet";
  feed_options.time_us = 1700000000000000;
  detect::FeedResult feed;
  ASSERT_TRUE(ImportFeed(importer, "emotet.txt", "# trails\nevil.example\n198.51.100.7\nnot a value\n",
                         feed_options, &feed)
                  .ok());
  const ImportSummary& s = importer.summary();
  EXPECT_EQ(feed.indicators, 2);
  EXPECT_EQ(s.added, 2);
  EXPECT_EQ(s.rejected, 1);
  ASSERT_EQ(s.rejections.size(), 1u);
  EXPECT_EQ(s.rejections[0].where, "emotet.txt:4");
  EXPECT_EQ(s.rejections[0].reason, "no pattern fits 'not a value'");
  EXPECT_EQ(*store_->CountObjects(collection_), 2);
}

TEST_F(FeedTest, SightingsAreImported) {
  ImportOptions options;
  options.format = stix::DocumentFormat::kJsonLines;
  Importer importer(*store_, collection_, options);
  detect::SightingAggregator::Entry e;
  e.indicator = {0x8e, 0x2e, 0x2d, 0x2b, 0x17, 0xd4, 0x4c, 0xbf, 0x93, 0x8f, 0x98, 0xee, 0x46, 0xb3, 0xcd, 0x3f};
  e.window_start_us = 1700000000000000;
  e.first_us = e.last_us = 1700000000500000;
  e.count = 3;
  ASSERT_TRUE(AddSightings(importer, std::vector{e}, "identity--0a000000-0000-4000-8000-00000000000a").ok());
  EXPECT_EQ(importer.summary().added, 1);
  ASSERT_TRUE(AddSightings(importer, std::vector{e}, "identity--0a000000-0000-4000-8000-00000000000a").ok());
  EXPECT_EQ(importer.summary().already_present, 1) << "the same window is the same sighting";
}

}  // namespace
}  // namespace kizuna::ingest
