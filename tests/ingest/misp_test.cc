// Kizuna. MISP events come in through an Importer: checked, counted and added like any
// import (issue 24: one ingest path).
#include "kizuna/ingest/misp.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "../store/store_test_util.h"

namespace kizuna::ingest {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class MispImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::SqliteStore::Open(dir_.File("kizuna.db"), clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->CreateApiRoot({"root", "Root", "", 0}).ok());
    collection_ = store_->CreateCollection({"", "root", "intel", "Intel", "", 0})->id;
    options_.created_by_ref = "identity--00000000-0000-4000-8000-000000000001";
  }

  store::TempDir dir_;
  FakeClock clock_{1700000000000000};
  std::unique_ptr<store::SqliteStore> store_;
  std::string collection_;
  misp::ConvertOptions options_;
};

TEST_F(MispImportTest, EventsAreAddedOnceAndCounted) {
  std::string text = Slurp(std::string(KIZUNA_TEST_DATA) + "/misp/kizuna-event-list.json");
  Importer importer(*store_, collection_);
  misp::Conversion c;
  ASSERT_TRUE(ImportMisp(importer, "events.json", text, options_, &c).ok());
  EXPECT_EQ(c.events, 2);
  EXPECT_EQ(c.stix_objects, 27);
  EXPECT_TRUE(c.json_lines.empty());
  EXPECT_EQ(importer.summary().files, 1);
  EXPECT_EQ(importer.summary().added, 27);
  EXPECT_EQ(importer.summary().rejected, 0);
  EXPECT_EQ(*store_->CountObjects(collection_), 27);
  // The same events again: the same ids and versions, nothing new.
  ASSERT_TRUE(ImportMisp(importer, "events.json", text, options_).ok());
  EXPECT_EQ(importer.summary().added, 27);
  EXPECT_EQ(importer.summary().already_present, 27);
}

TEST_F(MispImportTest, AnotherAttributeUnderAKnownUuidAndTimeIsRejectedWithItsPlace) {
  Importer importer(*store_, collection_);
  std::string event =
      R"({"Event": {"uuid": "6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a01", "timestamp": "1700000000",
    "Attribute": [{"uuid": "6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a10", "type": "domain", "value": "VALUE", "to_ids": true}]}})";
  ASSERT_TRUE(ImportMisp(importer, "a.json", event, options_).ok());
  std::string changed = event.replace(event.find("VALUE"), 5, "other.example");
  ASSERT_TRUE(ImportMisp(importer, "b.json", changed, options_).ok());
  ASSERT_EQ(importer.summary().rejected, 1);  // the indicator; the report is the same
  EXPECT_EQ(importer.summary().rejections[0].where.substr(0, 7), "b.json:");
}

TEST_F(MispImportTest, ADocumentThatIsNoEventIsAnErrorNamingIt) {
  Importer importer(*store_, collection_);
  absl::Status s = ImportMisp(importer, "notes.txt", "hello", options_);
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_EQ(s.message().substr(0, 19), "notes.txt: not JSON");
  EXPECT_EQ(importer.summary().files, 0);
}

}  // namespace
}  // namespace kizuna::ingest
