// Kizuna.
#include "kizuna/misp/tags.h"

#include <gtest/gtest.h>

#include "kizuna/stix/predefined_markings.h"

namespace kizuna::misp {
namespace {

TEST(TagsTest, TlpLevelsAreThePredefinedMarkings) {
  EXPECT_EQ(TlpOfTag("tlp:white")->marking_id,
            "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9");
  EXPECT_EQ(TlpOfTag("TLP:RED")->marking_id,
            "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1");
  EXPECT_EQ(TlpOfTag("tlp:amber+strict")->rank, 3);
  EXPECT_LT(TlpOfTag("tlp:green")->rank, TlpOfTag("tlp:amber")->rank);
  EXPECT_EQ(TlpOfTag("tlp:clear")->rank, TlpOfTag("tlp:white")->rank);
  EXPECT_FALSE(TlpOfTag("tlp:ex:chr").has_value());
  EXPECT_FALSE(TlpOfTag("PAP:RED").has_value());
  EXPECT_TRUE(IsTlpNamespace("tlp:ex:chr"));
  EXPECT_FALSE(IsTlpNamespace("PAP:RED"));
}

TEST(TagsTest, EveryPredefinedMarkingNamesATagThatGivesItBack) {
  for (const stix::PredefinedTlpMarking& m : stix::PredefinedTlpMarkings()) {
    std::string_view tag = TagOfTlpMarking(m.id);
    ASSERT_FALSE(tag.empty()) << m.id;
    EXPECT_EQ(TlpOfTag(tag)->rank, TlpOfTag(std::string("tlp:") + std::string(m.level))->rank)
        << m.id;
    if (m.tlp_version == 2 || m.level == "white") {
      EXPECT_EQ(TlpOfTag(tag)->marking_id, m.id);
    }
  }
  EXPECT_TRUE(TagOfTlpMarking("marking-definition--00000000-0000-4000-8000-000000000000").empty());
}

}  // namespace
}  // namespace kizuna::misp
