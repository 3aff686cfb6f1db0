// Kizuna.
#include "kizuna/pattern/pattern_set.h"

#include <gtest/gtest.h>

#include "kizuna/base/random.h"
#include "kizuna/base/strings.h"

namespace kizuna::pattern {
namespace {

std::shared_ptr<const Pattern> MustCompile(std::string_view text) {
  auto p = Pattern::Compile(text);
  EXPECT_TRUE(p.ok()) << text << ": " << p.status();
  return p.ok() ? std::shared_ptr<const Pattern>(std::move(*p)) : nullptr;
}

TEST(PatternSetTest, IndexesGuardsAndKeepsTheRest) {
  PatternSet::Builder builder;
  builder.Add(MustCompile("[ipv4-addr:value = '10.0.0.1']"));                         // 0
  builder.Add(MustCompile("[ipv4-addr:value IN ('10.0.0.2', '10.0.0.3')]"));           // 1
  builder.Add(MustCompile("[ipv4-addr:value ISSUBSET '10.0.0.0/8']"));                 // 2
  builder.Add(MustCompile("[domain-name:value = 'a.example' AND domain-name:x = 1]"));  // 3
  builder.Add(MustCompile("[domain-name:value = 'b' OR ipv4-addr:value = '10.0.0.3']"));  // 4
  builder.Add(MustCompile("[ipv4-addr:value = '10.0.0.1'] AND [ipv4-addr:value = 'x']"));  // 5
  builder.Add(MustCompile("[file:payload_hex = 'ab']"));                               // 6
  builder.Add(MustCompile("[ipv4-addr:value != '10.0.0.1']"));                         // 7
  auto set = std::move(builder).Build();
  EXPECT_EQ(set->stats().guarded, 4u);
  EXPECT_EQ(set->stats().unguarded, 3u);
  EXPECT_EQ(set->stats().multi, 1u);
  EXPECT_EQ(set->multi_observation(), (std::vector<size_t>{5}));

  Observation obs;
  obs.AddString(obs.AddSco("ipv4-addr", "0"), "value", "10.0.0.3");
  PatternSet::Scratch scratch;
  std::vector<size_t> matched;
  ASSERT_TRUE(set->MatchOne(obs, scratch, matched).ok());
  EXPECT_EQ(matched, (std::vector<size_t>{1, 2, 4, 7}));

  Observation file;
  file.AddBinary(file.AddSco("file", "0"), "payload_hex", "ab");
  matched.clear();
  ASSERT_TRUE(set->MatchOne(file, scratch, matched).ok());
  EXPECT_EQ(matched, (std::vector<size_t>{6}));
}

TEST(PatternSetTest, BinaryValuesFindStringGuards) {
  PatternSet::Builder builder;
  builder.Add(MustCompile("[x:v = 'caf\u00e9']"));
  auto set = std::move(builder).Build();
  EXPECT_EQ(set->stats().guarded, 1u);
  Observation obs;
  obs.AddBinary(obs.AddSco("x", "0"), "v", "caf\xe9");
  PatternSet::Scratch scratch;
  std::vector<size_t> matched;
  ASSERT_TRUE(set->MatchOne(obs, scratch, matched).ok());
  EXPECT_EQ(matched, (std::vector<size_t>{0}));
}

// The set's answers equal calling Matches() on every pattern.
TEST(PatternSetTest, SameAnswersAsEveryPatternAlone) {
  SeededRandom random(11);
  const auto below = [&](uint64_t n) { return random.Next() % n; };
  const char* const kTypes[] = {"x", "y"};
  const char* const kValues[] = {"a", "b", "c", "ab"};
  PatternSet::Builder builder;
  std::vector<std::shared_ptr<const Pattern>> all;
  for (int i = 0; i < 400; ++i) {
    const std::string t = kTypes[below(2)];
    const std::string v = kValues[below(4)];
    std::string text;
    switch (below(7)) {
      case 0: text = StrCat("[", t, ":v = '", v, "']"); break;
      case 1: text = StrCat("[", t, ":v IN ('", v, "', 'zz')]"); break;
      case 2: text = StrCat("[", t, ":v = '", v, "' AND ", t, ":n > ", below(4), "]"); break;
      case 3: text = StrCat("[", t, ":v = '", v, "' OR ", t, ":n = ", below(4), "]"); break;
      case 4: text = StrCat("[", t, ":o.k = '", v, "']"); break;
      case 5: text = StrCat("[", t, ":v LIKE '", v, "%']"); break;
      default: text = StrCat("[", t, ":v = '", v, "'] OR [", kTypes[below(2)], ":o.k = 'b']"); break;
    }
    all.push_back(MustCompile(text));
    builder.Add(all.back());
  }
  auto set = std::move(builder).Build();
  PatternSet::Scratch scratch;
  std::vector<Observation> batch;
  std::vector<PatternSet::Hit> expected_hits;
  for (int i = 0; i < 300; ++i) {
    Observation& obs = batch.emplace_back();
    for (uint64_t s = below(3) + 1; s > 0; --s) {
      const auto root = obs.AddSco(kTypes[below(2)], StrCat(s));
      if (below(3) != 0) obs.AddString(root, "v", kValues[below(4)]);
      if (below(2) != 0) obs.AddInt(root, "n", static_cast<int64_t>(below(4)));
      if (below(2) != 0) obs.AddString(obs.AddObject(root, "o"), "k", kValues[below(4)]);
    }
    std::vector<size_t> matched, expected;
    ASSERT_TRUE(set->MatchOne(obs, scratch, matched).ok());
    for (size_t p = 0; p < all.size(); ++p) {
      if (all[p]->requirements().single_observation && *all[p]->Matches(obs)) {
        expected.push_back(p);
      }
    }
    ASSERT_EQ(matched, expected);
    for (size_t p : expected) expected_hits.push_back(PatternSet::Hit{batch.size() - 1, p});
  }
  std::vector<const Observation*> pointers;
  for (const Observation& o : batch) pointers.push_back(&o);
  std::vector<PatternSet::Hit> hits;
  ASSERT_TRUE(set->MatchBatch(pointers, scratch, hits).ok());
  EXPECT_EQ(hits, expected_hits);
}

}  // namespace
}  // namespace kizuna::pattern
