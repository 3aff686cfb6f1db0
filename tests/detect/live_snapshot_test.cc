// Kizuna.
#include "kizuna/detect/live_snapshot.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "kizuna/detect/compiler.h"
#include "kizuna/detect/matcher.h"
#include "test_util.h"

namespace kizuna::detect {
namespace {

std::shared_ptr<const Snapshot> Make(std::string_view domain) {
  CompileOptions o;
  o.now_us = 1;
  IndicatorCompiler c(o);
  c.AddPattern("indicator--00000000-0000-4000-8000-000000000001",
               std::string("[domain-name:value = '") + std::string(domain) + "']");
  return *std::move(c).Finish();
}

TEST(LiveSnapshotTest, SwapsWhileMatchingGoesOn) {
  LiveSnapshot live(Make("a.example"));
  RecordBatch batch;
  AddRecord(batch, "dns", {{Role::kDomain, "a.example"}});
  AddRecord(batch, "dns", {{Role::kDomain, "b.example"}});
  std::atomic<bool> stop{false};
  std::atomic<int> saw_a{0}, saw_b{0}, bad{0};
  std::thread matcher([&] {
    BatchMatcher m;
    std::vector<Match> out;
    while (!stop.load()) {
      std::shared_ptr<const Snapshot> s = live.Load();
      out.clear();
      if (!m.MatchBatch(*s, batch, out).ok() || out.size() != 1) {
        ++bad;
        continue;
      }
      (out[0].record == 0 ? saw_a : saw_b)++;
    }
  });
  // Publish only once the matcher runs: compiling one indicator is faster than starting a
  // thread, so otherwise every swap could be over before the first match.
  while (saw_a.load() + saw_b.load() == 0 && bad.load() == 0) std::this_thread::yield();
  for (int i = 0; i < 200; ++i) live.Publish(Make(i % 2 ? "a.example" : "b.example"));
  stop = true;
  matcher.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(saw_a.load() + saw_b.load(), 0);
  EXPECT_EQ(live.generation(), 200u);
  // The last published (i = 199: a.example) is current.
  BatchMatcher m;
  std::vector<Match> out;
  ASSERT_TRUE(m.MatchBatch(*live.Load(), batch, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].record, 0u);
}

}  // namespace
}  // namespace kizuna::detect
