// Kizuna.
#include "kizuna/exercise/ground_truth.h"

#include <gtest/gtest.h>

namespace kizuna::exercise {
namespace {

TEST(GroundTruth, LabelsByFileAndLine) {
  std::string text = TruthHeader() +
                     "ja/dns.log\t9\t1793577600.000000\tbackground\n"
                     "ja/dns.log\t10\t1793577660.500000\tstep:s1\n"
                     "ja/eve.json\t1\t1793577661.000000\tstep:s1\n"
                     "us/conn.log\t9\t1793577700.000000\tlookalike:l1\n";
  auto t = GroundTruth::Parse(text, "truth.tsv");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->records(), 4u);
  int dns = t->FindFile("/tmp/out/ja/dns.log");
  ASSERT_GE(dns, 0);
  EXPECT_EQ(t->FindFile("ja/dns.log"), dns);
  EXPECT_EQ(t->FindFile("/tmp/out/xja/dns.log"), -1);
  EXPECT_EQ(t->labels()[t->LabelAt(dns, 10)], "step:s1");
  EXPECT_EQ(t->labels()[t->LabelAt(dns, 9)], "background");
  EXPECT_EQ(t->LabelAt(dns, 8), GroundTruth::kNoLabel);
  EXPECT_EQ(t->LabelAt(dns, 1000), GroundTruth::kNoLabel);
  uint32_t s1 = t->LabelAt(dns, 10);
  EXPECT_EQ(t->stats()[s1].records, 2u);
  EXPECT_EQ(t->stats()[s1].first_us, 1793577660'500000);
  EXPECT_EQ(t->stats()[s1].last_us, 1793577661'000000);
}

TEST(GroundTruth, ErrorsNameTheLine) {
  EXPECT_EQ(GroundTruth::Parse("ja/dns.log\t9\t1\tbackground\n", "t.tsv").status().message(),
            "t.tsv:1: not a truth file (expected '#kizuna-exercise-truth 1' first)");
  EXPECT_EQ(
      GroundTruth::Parse(TruthHeader() + "ja/dns.log\t9\tbackground\n", "t.tsv").status().message(),
      "t.tsv:3: expected file, line, ts and label separated by tabs");
  EXPECT_EQ(GroundTruth::Parse(TruthHeader() + "ja/dns.log\tx\t1.0\tbackground\n", "t.tsv")
                .status()
                .message(),
            "t.tsv:3: bad line number");
  EXPECT_EQ(GroundTruth::Parse(TruthHeader() + "ja/dns.log\t9\tnoon\tbackground\n", "t.tsv")
                .status()
                .message(),
            "t.tsv:3: 'noon' is not a time");
}

}  // namespace
}  // namespace kizuna::exercise
