// Kizuna.
#include "kizuna/ingest/importer.h"

#include <gtest/gtest.h>

#include "kizuna/base/file.h"
#include "../store/store_test_util.h"

namespace kizuna::ingest {
using store::IndicatorId;
using store::Indicator;
using store::SqliteStore;
using store::TempDir;

namespace {

class ImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = SqliteStore::Open(dir_.File("kizuna.db"), clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->CreateApiRoot({"root", "Root", "", 0}).ok());
    collection_ = store_->CreateCollection({"", "root", "intel", "Intel", "", 0})->id;
  }
  ImportSummary Import(const std::string& text, ImportOptions options = {}) {
    std::string path = dir_.File("input.json");
    EXPECT_TRUE(WriteFileAtomically(path, text).ok());
    Importer importer(*store_, collection_, options);
    last_status_ = importer.ImportFile(path);
    return importer.summary();
  }

  TempDir dir_;
  FakeClock clock_{1700000000000000};
  std::unique_ptr<SqliteStore> store_;
  std::string collection_;
  absl::Status last_status_;
};

TEST_F(ImporterTest, BadObjectsAreRejectedAloneWithTheirPlace) {
  std::string text = "{\"type\": \"bundle\", \"id\": \"bundle--1\", \"objects\": [\n" +
                     Indicator("000000000001", "2016-01-01T00:00:00.000Z") + ",\n" +
                     R"({"type": "indicator", "id": "indicator--bad"})" + ",\n" +
                     R"({"type": "indicator", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-000000000003", "created": 5 })" + ",\n" +
                     "{\"type\": \"x\", \"broken\": [1,, 2]},\n" +
                     Indicator("000000000002", "2016-01-01T00:00:00.000Z") + "\n]}";
  ImportSummary s = Import(text);
  EXPECT_TRUE(last_status_.ok()) << last_status_;
  EXPECT_EQ(s.read, 5);
  EXPECT_EQ(s.added, 2);
  EXPECT_EQ(s.rejected, 3);
  ASSERT_EQ(s.rejections.size(), 3u);
  EXPECT_NE(s.rejections[0].where.find("input.json:3:1"), std::string::npos) << s.rejections[0].where;
  EXPECT_NE((s.rejections[0].id + " " + s.rejections[0].reason).find("indicator--bad"), std::string::npos);
  EXPECT_NE(s.rejections[1].where.find(":4:1"), std::string::npos);
  EXPECT_NE(s.rejections[1].reason.find("created: expected a string"), std::string::npos);
  EXPECT_NE(s.rejections[2].reason.find("malformed JSON"), std::string::npos);
  EXPECT_EQ(*store_->CountObjects(collection_), 2);
}

TEST_F(ImporterTest, ReimportAddsNothingAndConflictsAreReported) {
  std::string a = Indicator("000000000001", "2016-01-01T00:00:00.000Z");
  Import("[" + a + "]");
  ImportSummary again = Import("[" + a + "]");
  EXPECT_EQ(again.added, 0);
  EXPECT_EQ(again.already_present, 1);
  ImportSummary conflict = Import("[\n" + Indicator("000000000001", "2016-01-01T00:00:00.000Z", R"(, "name": "n")") + "]");
  EXPECT_EQ(conflict.rejected, 1);
  ASSERT_EQ(conflict.rejections.size(), 1u);
  EXPECT_EQ(conflict.rejections[0].id, IndicatorId("000000000001"));
  EXPECT_NE(conflict.rejections[0].where.find(":2:1"), std::string::npos);
  EXPECT_NE(conflict.rejections[0].reason.find("same id and version"), std::string::npos);
}

TEST_F(ImporterTest, TruncatedFileKeepsObjectsBeforeTheBreak) {
  std::string text = "[" + Indicator("000000000001", "2016-01-01T00:00:00.000Z") + ", " +
                     Indicator("000000000002", "2016-01-01T00:00:00.000Z");
  ImportSummary s = Import(text.substr(0, text.size() - 20));
  EXPECT_FALSE(last_status_.ok());
  EXPECT_NE(last_status_.message().find("input.json"), std::string::npos) << last_status_;
  EXPECT_NE(last_status_.message().find("truncated"), std::string::npos) << last_status_;
  EXPECT_EQ(s.added, 1);
  EXPECT_EQ(*store_->CountObjects(collection_), 1);
}

TEST_F(ImporterTest, BatchesAreCommittedAndReported) {
  std::string text = "[";
  for (int i = 0; i < 25; ++i) {
    text += (i ? "," : "") + Indicator(StrCat("0000000000", 10 + i), "2016-01-01T00:00:00.000Z");
  }
  text += "]";
  ImportOptions options;
  options.batch_objects = 10;
  std::vector<CommittedBatch> batches;
  options.on_commit = [&](const CommittedBatch& b) { batches.push_back(b); };
  ImportSummary s = Import(text, options);
  EXPECT_EQ(s.added, 25);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0].objects, 10);
  EXPECT_EQ(batches[2].total_committed, 25);
  EXPECT_EQ(batches[2].last_id, IndicatorId("000000000034"));
}

// The checks run on a thread of their own, ahead of the store: rejections made there and
// by the store still come in document order, conflicts (store) between invalid objects
// (checker), across batches.
TEST_F(ImporterTest, RejectionsKeepDocumentOrderAcrossBatches) {
  Import("[" + Indicator("000000000001", "2016-01-01T00:00:00.000Z") + "]");
  std::string text = "[";
  for (int i = 0; i < 9; ++i) {
    std::string object;
    if (i % 3 == 1) {
      object = R"({"type": "indicator", "id": "indicator--bad"})";
    } else if (i % 3 == 2) {
      object = Indicator("000000000001", "2016-01-01T00:00:00.000Z", R"(, "name": "other")");
    } else {
      object = Indicator(StrCat("0000000001", 10 + i), "2016-01-01T00:00:00.000Z");
    }
    text += (i ? ",\n" : "\n") + object;
  }
  text += "]";
  ImportOptions options;
  options.batch_objects = 2;
  ImportSummary s = Import(text, options);
  EXPECT_TRUE(last_status_.ok()) << last_status_;
  EXPECT_EQ(s.read, 9);
  EXPECT_EQ(s.added, 3);
  EXPECT_EQ(s.rejected, 6);
  ASSERT_EQ(s.rejections.size(), 6u);
  // Each batch's rejections by the checker come before the store's for that batch: lines
  // 3 (checker), then 4 (store, batch 1); 6 (checker), 7 (store, batch 2); 9, 10.
  const char* lines[] = {":3:1", ":4:1", ":6:1", ":7:1", ":9:1", ":10:1"};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_NE(s.rejections[i].where.find(lines[i]), std::string::npos) << i << " " << s.rejections[i].where;
  }
}

// Issue 17: every way in checks the STIX pattern of each indicator (STIX 2.1 §9).
TEST_F(ImporterTest, AnIndicatorWithAnInvalidPatternIsRejectedWithTheReason) {
  std::string bad = Indicator("000000000002", "2016-01-01T00:00:00.000Z");
  bad.replace(bad.find("[file:name = 'x']"), 17, "[file:name = 'x'] WITHIN 5 SECONDS WITHIN 6 SECONDS");
  ImportSummary s = Import("[\n" + Indicator("000000000001", "2016-01-01T00:00:00.000Z") + ",\n" + bad + "]");
  EXPECT_TRUE(last_status_.ok()) << last_status_;
  EXPECT_EQ(s.added, 1);
  EXPECT_EQ(s.rejected, 1);
  ASSERT_EQ(s.rejections.size(), 1u);
  EXPECT_EQ(s.rejections[0].id, IndicatorId("000000000002"));
  EXPECT_NE(s.rejections[0].where.find("input.json:3:1"), std::string::npos) << s.rejections[0].where;
  EXPECT_TRUE(s.rejections[0].reason.starts_with("pattern: offset ")) << s.rejections[0].reason;
  EXPECT_NE(s.rejections[0].reason.find("duplicate-qualifier"), std::string::npos) << s.rejections[0].reason;
}

TEST_F(ImporterTest, HostileInputIsRejectedWithoutCrashing) {
  std::string huge = R"({"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-000000000001","name":")" +
                     std::string(20 * 1024 * 1024, 'a') + "\"}";
  std::string deep = R"({"type":"x-deep","id":"x-deep--8e2e2d2b-17d4-4cbf-938f-000000000002","v":)" +
                     std::string(10000, '[') + std::string(10000, ']') + "}";
  std::string bad_utf8 = Indicator("000000000003", "2016-01-01T00:00:00.000Z", ", \"name\": \"\xff\xfe\"");
  ImportSummary s = Import("[" + huge + ",\n" + deep + ",\n" + bad_utf8 + ",\n" +
                           Indicator("000000000004", "2016-01-01T00:00:00.000Z") + "]");
  EXPECT_TRUE(last_status_.ok()) << last_status_;
  EXPECT_EQ(s.read, 4);
  EXPECT_EQ(s.added, 1);
  ASSERT_EQ(s.rejections.size(), 3u);
  EXPECT_NE(s.rejections[0].reason.find("more than the limit"), std::string::npos) << s.rejections[0].reason;
  EXPECT_NE(s.rejections[1].reason.find("levels deep"), std::string::npos) << s.rejections[1].reason;
  EXPECT_NE(s.rejections[2].reason.find("UTF"), std::string::npos) << s.rejections[2].reason;
}

}  // namespace
}  // namespace kizuna::ingest
