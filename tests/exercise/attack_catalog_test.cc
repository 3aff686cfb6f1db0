// Kizuna.
#include "kizuna/exercise/attack_catalog.h"

#include <gtest/gtest.h>

#include "kizuna/base/file.h"
#include "kizuna/exercise/scenario_parser.h"
#include "test_scenario.h"

namespace kizuna::exercise {
namespace {

AttackCatalog Techniques() {
  std::string path = KIZUNA_TEST_DATA "/exercise/attack-techniques.json";
  auto text = ReadFile(path, kMaxAttackBundleBytes);
  EXPECT_TRUE(text.ok()) << text.status();
  auto catalog = AttackCatalog::FromBundle(std::string_view(text->data(), text->size()), path);
  EXPECT_TRUE(catalog.ok()) << catalog.status();
  return *catalog;
}

TEST(AttackCatalog, ReadsTechniquesAndGroupsOfABundle) {
  AttackCatalog c = Techniques();
  ASSERT_NE(c.Find("T0865"), nullptr);
  EXPECT_EQ(c.Find("T0865")->name, "Spearphishing Attachment");
  EXPECT_EQ(c.Find("T0865")->type, "attack-pattern");
  ASSERT_NE(c.Find("G1001"), nullptr);
  EXPECT_EQ(c.Find("G1001")->type, "intrusion-set");
  ASSERT_NE(c.Find("G0057"), nullptr);
  EXPECT_TRUE(c.Find("G0057")->revoked);
  EXPECT_EQ(c.Find("T9999"), nullptr);
}

TEST(AttackCatalog, KnownIdsPass) {
  auto s = ParseScenario(testing::SmallScenario(), "s.yaml");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(CheckAttackIds(*s, Techniques()).ok());
}

TEST(AttackCatalog, UnknownAndRevokedIdsAreNamedWithTheirLines) {
  std::string text = testing::SmallScenario();
  text.replace(text.find("T0886"), 5, "T9999");
  text.replace(text.find("G1001"), 5, "G0057");
  auto s = ParseScenario(text, "s.yaml");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(CheckAttackIds(*s, Techniques()).message(),
            "s.yaml:36: technique 'T9999' is not in the ATT&CK data; "
            "s.yaml:20: group 'G0057' is revoked in the ATT&CK data");
}

TEST(AttackCatalog, AGroupIsNotATechnique) {
  std::string text = testing::SmallScenario();
  text.replace(text.find("T0886"), 5, "G1001");
  auto s = ParseScenario(text, "s.yaml");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(CheckAttackIds(*s, Techniques()).message(),
            "s.yaml:36: technique 'G1001' is not in the ATT&CK data");
}

TEST(AttackCatalog, RejectsWhatIsNotABundle) {
  EXPECT_EQ(AttackCatalog::FromBundle("{\"type\": \"bundle\"}", "a.json").status().message(),
            "a.json: expected a STIX bundle with an \"objects\" list");
  EXPECT_EQ(AttackCatalog::FromBundle("nope", "a.json").status().message(), "a.json: not JSON");
}

}  // namespace
}  // namespace kizuna::exercise
