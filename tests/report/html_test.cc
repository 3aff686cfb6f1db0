// Kizuna. The brief's page: one template, two catalogues, text escaped, figures required.
#include "kizuna/report/html.h"

#include <gtest/gtest.h>

#include "kizuna/report/assets.h"

namespace kizuna::report {
namespace {

boost::json::object Figures() {
  return boost::json::parse(R"({
    "audience": {"kind": "nation", "name": "USA"}, "period": {"from": "2026-01-01", "to": "2026-01-31"},
    "previous": {"from": "2025-12-01", "to": "2025-12-31"}, "banner": "TLP:AMBER", "node_nation": "JPN",
    "headline": {"objects": {"current": 1234, "previous": 1000}, "indicators": {"current": 1, "previous": 0},
                 "reports": {"current": 0, "previous": 0}, "sightings": {"current": 0, "previous": 0},
                 "received": {"current": 0, "previous": 0}, "sent": {"current": 0, "previous": 0}},
    "by_direction": [], "by_type": [{"type": "indicator", "current": 1234, "previous": 1000}],
    "by_tlp": [{"tlp": "", "objects": 1}], "by_releasability": [], "by_week": [], "time_to_share": [],
    "sightings_by_org": [], "techniques": [], "groups": [],
    "top_indicators": [{"id": "indicator--1", "name": "<b>bold</b> & 'quoted'", "pattern": "[x:y = '<']",
                        "sightings": 2}],
    "federation": [], "exercises": {"recorded": false, "items": []},
    "appendix": [{"id": "indicator--1", "name": "</script><script>alert(1)</script>"}]})")
      .as_object();
}

TEST(HtmlTest, OneTemplateTwoLanguages) {
  auto en = RenderBrief(Figures(), Lang::kEn, 0);
  auto ja = RenderBrief(Figures(), Lang::kJa, 0);
  ASSERT_TRUE(en.ok()) << en.status();
  ASSERT_TRUE(ja.ok()) << ja.status();
  EXPECT_NE(en->find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(en->find("Headline figures"), std::string::npos);
  EXPECT_NE(en->find("1,234"), std::string::npos);
  EXPECT_NE(en->find("+23%"), std::string::npos);
  EXPECT_NE(ja->find("<html lang=\"ja\">"), std::string::npos);
  EXPECT_NE(ja->find("主要な数値"), std::string::npos);
  EXPECT_NE(ja->find("2026年1月1日"), std::string::npos);
  EXPECT_EQ(en->find("{{"), std::string::npos) << "every placeholder filled";
  EXPECT_NE(en->find(std::string(EchartsScript().substr(0, 200))), std::string::npos) << "ECharts inline";
}

TEST(HtmlTest, BannerOnEveryPrintedPage) {
  auto en = RenderBrief(Figures(), Lang::kEn, 0);
  ASSERT_TRUE(en.ok());
  EXPECT_NE(en->find("@top-center { content: \"TLP:AMBER\""), std::string::npos);
  EXPECT_NE(en->find("counter(page)"), std::string::npos);
  EXPECT_NE(en->find("#ffc000"), std::string::npos);
}

TEST(HtmlTest, TextIsEscaped) {
  auto en = RenderBrief(Figures(), Lang::kEn, 0);
  ASSERT_TRUE(en.ok());
  EXPECT_EQ(en->find("<b>bold</b>"), std::string::npos);
  EXPECT_NE(en->find("&lt;b&gt;bold&lt;/b&gt; &amp; &#39;quoted&#39;"), std::string::npos);
  EXPECT_EQ(en->find("</script><script>alert(1)"), std::string::npos) << "not even inside the figures' JSON";
  EXPECT_EQ(EscapeHtml("a\"b"), "a&quot;b");
}

TEST(HtmlTest, MissingFiguresAreNamed) {
  boost::json::object f = Figures();
  f.erase("techniques");
  auto page = RenderBrief(f, Lang::kEn, 0);
  ASSERT_FALSE(page.ok());
  EXPECT_NE(page.status().message().find("techniques"), std::string::npos);
}

TEST(HtmlTest, CataloguesHaveTheSameMessages) {
  boost::json::object en = boost::json::parse(CatalogueText("en")).as_object();
  boost::json::object ja = boost::json::parse(CatalogueText("ja")).as_object();
  EXPECT_EQ(en.size(), ja.size());
  for (const auto& kv : en) EXPECT_TRUE(ja.contains(kv.key())) << kv.key();
  EXPECT_EQ(CatalogueText("fr"), "");
  EXPECT_FALSE(ParseLang("fr").ok());
}

}  // namespace
}  // namespace kizuna::report
