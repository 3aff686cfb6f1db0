// Kizuna.
#include "kizuna/detect/correlator.h"

#include <gtest/gtest.h>

#include <random>

#include "kizuna/base/strings.h"
#include "kizuna/detect/compiler.h"
#include "kizuna/detect/matcher.h"
#include "test_util.h"

namespace kizuna::detect {
namespace {

constexpr int64_t kT0 = 1700000000LL * 1000000;  // event times: kT0 + seconds

std::string Id(size_t n) {
  std::string digits = std::to_string(n);
  return StrCat("indicator--00000000-0000-4000-8000-", std::string(12 - digits.size(), '0'),
                digits);
}

std::shared_ptr<const Snapshot> Compile(const std::vector<std::string>& patterns) {
  CompileOptions options;
  options.now_us = 1;
  IndicatorCompiler c(options);
  for (size_t i = 0; i < patterns.size(); ++i) c.AddPattern(Id(i), patterns[i]);
  auto s = std::move(c).Finish();
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(c.report().invalid, 0);
  return *s;
}

// DNS records of `domains`, record i at kT0 + seconds[i].
RecordBatch Events(const std::vector<std::pair<std::string, int64_t>>& events) {
  RecordBatch b;
  for (const auto& [domain, seconds] : events) {
    AddRecord(b, "dns", {{Role::kDomain, domain}});
    b.records.back().time_us = kT0 + seconds * 1000000;
    b.records.back().has_time = true;
  }
  return b;
}

struct Hit {
  uint32_t indicator;
  uint64_t trigger;             // line of the record that completed the match
  std::vector<uint64_t> lines;  // lines of the records the match used
  friend bool operator==(const Hit&, const Hit&) = default;
};

std::vector<Hit> Correlate(const std::shared_ptr<const Snapshot>& snapshot,
                           const RecordBatch& batch, CorrelationOptions options = {},
                           Correlator* keep = nullptr) {
  BatchMatcher matcher;
  std::vector<CorrelationCandidate> candidates;
  std::vector<uint32_t> untimed;
  EXPECT_TRUE(matcher.FindCorrelationEvents(*snapshot, batch, candidates, untimed).ok());
  EXPECT_TRUE(untimed.empty());
  Correlator local(options);
  Correlator& correlator = keep != nullptr ? *keep : local;
  std::vector<CorrelationHit> hits;
  for (CorrelationCandidate& c : candidates) {
    EXPECT_TRUE(correlator.Add(snapshot, std::move(c.event), c.patterns, hits).ok());
  }
  std::vector<Hit> out;
  for (const CorrelationHit& h : hits) {
    Hit hit{h.indicator, h.trigger->line, {}};
    for (const auto& e : h.events) hit.lines.push_back(e->line);
    out.push_back(hit);
  }
  return out;
}

const std::string kA = "[domain-name:value = 'a.example']";
const std::string kB = "[domain-name:value = 'b.example']";

// A resume file's pending events are not taken on trust (kizuna match --resume): a buffer
// restored keeps the newest max_events events and takes its newest time from them.
TEST(CorrelatorTest, RestoredBuffersAreBoundedAndDateThemselves) {
  auto s = Compile({"(" + kA + " FOLLOWEDBY " + kB + ") WITHIN 60 SECONDS"});
  Correlator first({});
  EXPECT_TRUE(
      Correlate(s, Events({{"a.example", 0}, {"a.example", 1}, {"a.example", 2}, {"a.example", 3}}),
                {}, &first)
          .empty());
  std::vector<PendingEvents> pending = first.Pending();
  ASSERT_EQ(pending.size(), 1u);
  ASSERT_EQ(pending[0].events.size(), 4u);
  pending[0].newest_us = int64_t{9'000'000'000'000'000'000};  // would make every event late
  CorrelationOptions two;
  two.max_events = 2;
  Correlator restored(two);
  EXPECT_EQ(restored.Restore(s, std::move(pending)), 1u);
  std::vector<PendingEvents> kept = restored.Pending();
  ASSERT_EQ(kept.size(), 1u);
  ASSERT_EQ(kept[0].events.size(), 2u);
  EXPECT_EQ(kept[0].events[0]->line, 3u);
  EXPECT_EQ(kept[0].newest_us, kT0 + 3 * 1000000);
  auto b = Events({{"b.example", 30}});
  EXPECT_EQ(Correlate(s, b, two, &restored).size(), 1u) << "a restored buffer is not left late";
}

TEST(CorrelatorTest, AndMatchesOnceBothHaveBeenSeenInEitherOrder) {
  auto s = Compile({kA + " AND " + kB});
  EXPECT_EQ(s->stats().multi, 1u);
  EXPECT_EQ(Correlate(s, Events({{"a.example", 0}, {"x.example", 1}, {"b.example", 2}})),
            (std::vector<Hit>{{0, 3, {1, 3}}}));
  EXPECT_EQ(Correlate(s, Events({{"b.example", 0}, {"a.example", 5}})),
            (std::vector<Hit>{{0, 2, {1, 2}}}));
  EXPECT_TRUE(Correlate(s, Events({{"a.example", 0}, {"a.example", 1}})).empty());
}

TEST(CorrelatorTest, FollowedByNeedsTheOrderAndItsWithin) {
  auto s = Compile({"(" + kA + " FOLLOWEDBY " + kB + ") WITHIN 60 SECONDS"});
  EXPECT_EQ(Correlate(s, Events({{"a.example", 0}, {"b.example", 30}})),
            (std::vector<Hit>{{0, 2, {1, 2}}}));
  EXPECT_EQ(Correlate(s, Events({{"a.example", 0}, {"b.example", 59}})).size(), 1u);
  EXPECT_TRUE(Correlate(s, Events({{"b.example", 0}, {"a.example", 30}})).empty());
  // 60 seconds apart is not within 60 seconds (STIX 2.1 §9.5.1 excludes the boundary).
  EXPECT_TRUE(Correlate(s, Events({{"a.example", 0}, {"b.example", 60}})).empty());
  // An earlier a too far back does not help; a later one does.
  EXPECT_EQ(Correlate(s, Events({{"a.example", 0}, {"a.example", 100}, {"b.example", 130}})),
            (std::vector<Hit>{{0, 3, {2, 3}}}));
}

TEST(CorrelatorTest, WithinOnTheLastOperandOnlyLeavesTheCorrelationWindow) {
  // `[a] FOLLOWEDBY [b] WITHIN 60 SECONDS` qualifies [b] alone (pattern/README.md).
  auto s = Compile({kA + " FOLLOWEDBY " + kB + " WITHIN 60 SECONDS"});
  EXPECT_EQ(Correlate(s, Events({{"a.example", 0}, {"b.example", 120}})).size(), 1u);
  CorrelationOptions narrow;
  narrow.window_us = 60 * 1000000LL;
  EXPECT_TRUE(Correlate(s, Events({{"a.example", 0}, {"b.example", 120}}), narrow).empty());
  EXPECT_EQ(Correlate(s, Events({{"a.example", 0}, {"b.example", 50}}), narrow).size(), 1u);
}

TEST(CorrelatorTest, RepeatsNeedsThatManyEventsAndReportsEachSetOnce) {
  auto s = Compile({kA + " REPEATS 3 TIMES"});
  EXPECT_TRUE(Correlate(s, Events({{"a.example", 0}, {"a.example", 1}})).empty());
  std::vector<std::pair<std::string, int64_t>> seven;
  for (int i = 0; i < 7; ++i) seven.push_back({"a.example", i});
  // The buffer is emptied after each match: 7 events give two matches, not five.
  EXPECT_EQ(Correlate(s, Events(seven)), (std::vector<Hit>{{0, 3, {1, 2, 3}}, {0, 6, {4, 5, 6}}}));
}

TEST(CorrelatorTest, FullBuffersDropTheOldestAndCountIt) {
  auto s = Compile({kA + " AND " + kB});
  CorrelationOptions small;
  small.max_events = 2;
  Correlator correlator(small);
  EXPECT_TRUE(Correlate(s, Events({{"a.example", 0}, {"x.example", 1}, {"x.example", 2}}), small,
                        &correlator)
                  .empty());
  // The buffer holds a's only: three a's keep the newest two.
  RecordBatch more = Events({{"a.example", 3}, {"a.example", 4}, {"a.example", 5}});
  EXPECT_TRUE(Correlate(s, more, small, &correlator).empty());
  EXPECT_EQ(correlator.dropped(), 2u);
}

TEST(CorrelatorTest, LateEventsAreCounted) {
  auto s = Compile({"(" + kA + " AND " + kB + ") WITHIN 10 SECONDS"});
  Correlator correlator(CorrelationOptions{});
  EXPECT_TRUE(
      Correlate(s, Events({{"a.example", 100}, {"b.example", 50}}), {}, &correlator).empty());
  EXPECT_EQ(correlator.late(), 1u);
  // Disorder within the bound is harmless.
  EXPECT_EQ(Correlate(s, Events({{"a.example", 100}, {"b.example", 95}})).size(), 1u);
}

TEST(CorrelatorTest, BuffersCarryOverAReloadForUnchangedPatterns) {
  const std::string both = kA + " AND " + kB;
  auto first = Compile({both, kA + " REPEATS 2 TIMES"});
  Correlator correlator(CorrelationOptions{});
  EXPECT_TRUE(Correlate(first, Events({{"a.example", 0}}), {}, &correlator).empty());
  // The new snapshot adds an indicator, and changes the pattern of indicator 1.
  CompileOptions options;
  options.now_us = 1;
  IndicatorCompiler c(options);
  c.AddPattern(Id(7), "[domain-name:value = 'c.example'] AND [domain-name:value = 'd.example']");
  c.AddPattern(Id(0), both);
  c.AddPattern(Id(1), kA + " REPEATS 3 TIMES");
  auto second = std::move(c).Finish();
  ASSERT_TRUE(second.ok());
  std::vector<Hit> hits = Correlate(*second, Events({{"b.example", 1}}), {}, &correlator);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ((*second)->IndicatorId(hits[0].indicator), Id(0));
  // Indicator 1's buffer was dropped: two more a's do not make three.
  EXPECT_TRUE(
      Correlate(*second, Events({{"a.example", 2}, {"a.example", 3}}), {}, &correlator).empty());
}

// The correlator reports a pattern first at the shortest prefix of a time-ordered stream
// over which Pattern::Match matches; without such a prefix, never.
TEST(CorrelatorTest, FirstHitEqualsPatternMatchOnPrefixes) {
  const std::vector<std::string> patterns = {
      kA + " AND " + kB,
      kA + " FOLLOWEDBY " + kB,
      "(" + kA + " FOLLOWEDBY " + kB + ") WITHIN 20 SECONDS",
      kA + " REPEATS 3 TIMES",
      "(" + kA + " OR [domain-name:value = 'c.example']) REPEATS 2 TIMES WITHIN 5 SECONDS",
      "(" + kA + " AND " + kB + ") FOLLOWEDBY [domain-name:value = 'c.example']",
  };
  const std::vector<std::string> domains = {"a.example", "b.example", "c.example", "x.example"};
  std::mt19937 rng(5);
  int matched = 0;
  for (size_t p = 0; p < patterns.size(); ++p) {
    auto snapshot = Compile({patterns[p]});
    auto compiled = pattern::Pattern::Compile(patterns[p]);
    ASSERT_TRUE(compiled.ok());
    for (int round = 0; round < 60; ++round) {
      std::vector<std::pair<std::string, int64_t>> events;
      int64_t t = 0;
      const int n = 1 + static_cast<int>(rng() % 12);
      for (int i = 0; i < n; ++i) {
        t += static_cast<int64_t>(rng() % 8);
        events.push_back({domains[rng() % domains.size()], t});
      }
      RecordBatch batch = Events(events);
      ObservationBuilder builder;
      std::vector<pattern::Observation> all(batch.records.size());
      for (size_t i = 0; i < batch.records.size(); ++i) {
        ASSERT_TRUE(builder.Build(batch, batch.records[i], all[i]));
      }
      uint64_t want = 0;  // line of the shortest matching prefix, or 0
      for (size_t k = 1; k <= all.size() && want == 0; ++k) {
        auto r = (*compiled)->Match(std::span<const pattern::Observation>(all.data(), k));
        ASSERT_TRUE(r.ok());
        if (r->matched) want = k;
      }
      std::vector<Hit> hits = Correlate(snapshot, batch);
      SCOPED_TRACE(StrCat(patterns[p], " round ", round));
      if (want == 0) {
        EXPECT_TRUE(hits.empty());
      } else {
        ASSERT_FALSE(hits.empty());
        EXPECT_EQ(hits[0].trigger, want);
        ++matched;
      }
    }
  }
  EXPECT_GT(matched, 60);  // both outcomes are well represented
  EXPECT_LT(matched, 300);
}

}  // namespace
}  // namespace kizuna::detect
