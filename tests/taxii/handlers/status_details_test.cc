// Kizuna.
#include "kizuna/taxii/handlers/status_details.h"

#include <gtest/gtest.h>

#include <string>

namespace kizuna::taxii::taxii_internal {
namespace {

TEST(StatusDetailsTest, ListsKeepTheirFirstEntriesAndCountTheRest) {
  DetailList successes(2), failures(2);
  AppendDetail(DetailHead("indicator--1", "2016-01-01T00:00:00.000Z"), "", successes);
  AppendDetail(DetailHead("", ""), "envelope:1:14: expected an object", failures);
  for (int i = 0; i < 3; ++i) AppendDetail(DetailHead("x", "y"), "bad", failures);
  EXPECT_EQ(successes.kept(), 1u);
  EXPECT_EQ(failures.kept(), 2u);
  EXPECT_EQ(failures.omitted(), 2u);
  EXPECT_EQ(DetailsJson(successes, failures),
            "\"successes\":[{\"id\":\"indicator--1\",\"version\":\"2016-01-01T00:00:00.000Z\"}],"
            "\"failures\":[{\"id\":\"\",\"version\":\"\",\"message\":\"envelope:1:14: expected an "
            "object\"},"
            "{\"id\":\"x\",\"version\":\"y\",\"message\":\"bad\"}],"
            "\"x_kizuna_details_omitted\":{\"successes\":0,\"failures\":2}");
}

TEST(StatusDetailsTest, NothingLeftOutMeansNoCustomProperty) {
  DetailList successes(0), failures(5);
  EXPECT_EQ(DetailsJson(successes, failures), "\"successes\":[],\"failures\":[]");
  AppendDetail(DetailHead("a", "b"), "", successes);
  EXPECT_NE(DetailsJson(successes, failures).find("\"x_kizuna_details_omitted\":{\"successes\":1,"),
            std::string::npos);
}

TEST(StatusDetailsTest, LongFieldsAreCutOnACharacterBoundary) {
  // 'é' is two octets: cutting at an odd length must not split one.
  std::string id(kMaxDetailIdBytes - 1, 'a');
  id += "\xc3\xa9tail";
  std::string message;
  for (size_t i = 0; i < kMaxDetailMessageBytes; ++i) message += "\xc3\xa9";
  DetailList list(1);
  AppendDetail(DetailHead(id, std::string(1000, '9')), message, list);
  std::string json = list.Json();
  EXPECT_NE(json.find("\"id\":\"" + std::string(kMaxDetailIdBytes - 1, 'a') + "\""),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"version\":\"" + std::string(kMaxDetailVersionBytes, '9') + "\""),
            std::string::npos);
  EXPECT_NE(json.find("...\"}]"), std::string::npos) << "a cut message says so";
  EXPECT_LT(json.size(), kMaxDetailIdBytes + kMaxDetailVersionBytes + kMaxDetailMessageBytes + 64);
}

}  // namespace
}  // namespace kizuna::taxii::taxii_internal
