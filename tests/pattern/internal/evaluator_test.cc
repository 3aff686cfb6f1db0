// Kizuna. The fast evaluator: limits, thread safety, and differential tests against the
// reference evaluator on random patterns and observations (STYLE 38).
#include "kizuna/pattern/internal/evaluator.h"

#include <gtest/gtest.h>

#include <thread>

#include "kizuna/base/random.h"
#include "kizuna/base/strings.h"
#include "kizuna/pattern/pattern.h"
#include "kizuna/pattern/reference_evaluator.h"

namespace kizuna::pattern {
namespace {

constexpr int64_t kBase = 1577836800;

std::vector<const Observation*> Pointers(const std::vector<Observation>& v) {
  std::vector<const Observation*> out;
  for (const Observation& o : v) out.push_back(&o);
  return out;
}

class Generator {
 public:
  explicit Generator(uint64_t seed) : random_(seed) {}

  size_t Below(size_t n) { return static_cast<size_t>(random_.Next() % n); }
  bool Coin() { return Below(2) == 0; }
  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Below(N)];
  }

  std::vector<Observation> Observations() {
    std::vector<Observation> out(1 + Below(6));
    for (size_t i = 0; i < out.size(); ++i) {
      Observation& o = out[i];
      o.SetId(StrCat("od-", i));
      o.SetCount(static_cast<uint32_t>(1 + Below(3)));
      const int64_t first = static_cast<int64_t>(Below(40));
      o.SetTimes(stix::Timestamp{kBase + first, 0, 0},
                 stix::Timestamp{kBase + first + static_cast<int64_t>(Below(10)), 0, 0});
      const size_t scos = 1 + Below(3);
      for (size_t s = 0; s < scos; ++s) {
        static const char* const kTypes[] = {"x", "y"};
        const auto root = o.AddSco(Pick(kTypes), StrCat(s));
        static const char* const kStrings[] = {"a", "b", "c", "ab", "10.1.2.3"};
        if (Below(4) != 0) {
          if (Coin()) {
            o.AddString(root, "v", Pick(kStrings));
          } else {
            o.AddInt(root, "v", static_cast<int64_t>(Below(4)));
          }
        }
        if (Coin()) o.AddInt(root, "n", static_cast<int64_t>(Below(5)));
        if (Below(3) == 0) {
          static const char* const kBytes[] = {"a", "ab", "b\xff", ""};
          o.AddBinary(root, "h_hex", Pick(kBytes));
        }
        if (Coin()) {
          const auto list = o.AddList(root, "l");
          for (size_t k = Below(4); k > 0; --k) o.AddString(list, "", Pick(kStrings));
        }
        if (Coin()) o.AddString(root, "r_ref", StrCat(Below(4)));
        if (Below(4) == 0) {
          const auto refs = o.AddList(root, "rs_refs");
          for (size_t k = Below(3); k > 0; --k) o.AddString(refs, "", StrCat(Below(4)));
        }
      }
    }
    return out;
  }

  std::string Comparison(const std::string& type) {
    static const char* const kPaths[] = {"v", "n", "l[*]", "l[0]", "r_ref.v", "rs_refs[*].v",
                                         "rs_refs[1].n", "missing", "r_ref.r_ref.v", "h_hex"};
    const std::string path = StrCat(type, ":", Pick(kPaths));
    if (Below(8) == 0) return StrCat(Coin() ? "NOT " : "", "EXISTS ", path);
    const std::string no = Below(4) == 0 ? "NOT " : "";
    static const char* const kValues[] = {"'a'", "'b'", "'ab'", "1", "2", "0", "1.5"};
    static const char* const kLikes[] = {"'a%'", "'_b'", "'%b%'", "'ab'", "'b\u00ff'"};
    switch (Below(8)) {
      case 0: return StrCat(path, " ", no, "= ", Pick(kValues));
      case 1: return StrCat(path, " ", no, "!= ", Pick(kValues));
      case 2: return StrCat(path, " ", no, Coin() ? "< " : ">= ", Pick(kValues));
      case 3: return StrCat(path, " ", no, "IN ", Coin() ? "('a', 'c')" : "(1, 3)");
      case 4: return StrCat(path, " ", no, "LIKE ", Pick(kLikes));
      case 5: return StrCat(path, " ", no, "MATCHES ", Coin() ? "'^[ab]+$'" : "'b'");
      case 6:
        return StrCat(path, " ", no, Coin() ? "ISSUBSET '10.0.0.0/8'" : "ISSUPERSET '10.1.2.3'");
      default: return StrCat(path, " ", no, "> ", Pick(kValues));
    }
  }

  std::string Bracket() {
    const std::string type = Coin() ? "x" : "y";
    std::string out = Comparison(type);
    for (size_t k = Below(3); k > 0; --k) {
      if (Coin()) {
        out = StrCat(out, " AND ", Comparison(type));
      } else {
        out = StrCat(out, " OR ", Comparison(Coin() ? "x" : "y"));
      }
    }
    return StrCat("[", out, "]");
  }

  std::string Expression(int depth) {
    std::string out;
    if (depth == 0 || Below(3) == 0) {
      out = Bracket();
    } else {
      static const char* const kOps[] = {" AND ", " OR ", " FOLLOWEDBY "};
      const char* op = Pick(kOps);
      out = StrCat("(", Expression(depth - 1), op, Expression(depth - 1), ")");
    }
    switch (Below(6)) {
      case 0: return StrCat(out, " WITHIN ", 1 + Below(30), " SECONDS");
      case 1: return StrCat(out, " REPEATS ", 1 + Below(3), " TIMES");
      case 2: {
        const size_t start = Below(50);
        return StrCat(out, " START t'2020-01-01T00:00:", start < 10 ? "0" : "", start,
                      "Z' STOP t'2020-01-01T00:01:", Below(5), "0Z'");
      }
      default: return out;
    }
  }

 private:
  SeededRandom random_;
};

TEST(EvaluatorTest, DifferentialAgainstReference) {
  Generator gen(20240607);
  int compared = 0, matched = 0;
  for (int i = 0; i < 6000; ++i) {
    const std::string text = gen.Expression(3);
    auto pattern = Pattern::Compile(text);
    if (!pattern.ok()) continue;  // e.g. two qualifiers of one kind
    std::vector<Observation> obs = gen.Observations();
    auto ptrs = Pointers(obs);
    auto fast = (*pattern)->Match(ptrs);
    auto reference = ReferenceMatch(**pattern, ptrs);
    if (!fast.ok() || !reference.ok()) continue;
    ++compared;
    matched += fast->matched;
    ASSERT_EQ(fast->matched, reference->matched) << "pattern " << text << " seed case " << i;
    for (const Observation& o : obs) {
      auto one = (*pattern)->Matches(o);
      auto single = (*pattern)->Match(std::span<const Observation>(&o, 1));
      ASSERT_TRUE(one.ok() && single.ok());
      ASSERT_EQ(*one, single->matched) << text;
    }
  }
  std::printf("[ diff     ] %d random patterns compared, %d matched\n", compared, matched);
  // Both outcomes must be well represented for the comparison to mean anything.
  EXPECT_GT(compared, 4000);
  EXPECT_GT(matched, compared / 10);
  EXPECT_LT(matched, compared * 9 / 10);
}

// Candidates (the two stages apart, observations added in any order) gives FastMatch's
// result, bound observations included, over random patterns and observation sets.
TEST(EvaluatorTest, CandidatesInAnyOrderAsFastMatch) {
  Generator gen(20261207);
  int compared = 0, matched = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string text = gen.Expression(3);
    auto pattern = Pattern::Compile(text);
    if (!pattern.ok() || (*pattern)->requirements().single_observation) continue;
    std::vector<Observation> obs = gen.Observations();
    auto fast = (*pattern)->Match(Pointers(obs));
    std::vector<size_t> order(obs.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = k;
    for (size_t k = order.size(); k > 1; --k) std::swap(order[k - 1], order[gen.Below(k)]);
    pattern_internal::Candidates candidates((*pattern)->program());
    for (size_t k : order) candidates.Add(k + 100, obs[k]);  // indexes need not start at 0
    auto staged = candidates.Match();
    ASSERT_EQ(fast.ok(), staged.ok()) << text;
    if (!fast.ok()) continue;
    ++compared;
    matched += fast->matched;
    ASSERT_EQ(fast->matched, staged->matched) << text;
    std::vector<size_t> bound = staged->bound;
    for (size_t& b : bound) b -= 100;
    ASSERT_EQ(fast->bound, bound) << text;
  }
  EXPECT_GT(compared, 1000);
  EXPECT_GT(matched, compared / 10);
}

// A limit hit in the first stage: the one of the lowest index is the result, whatever the
// order of arrival; Forget() drops what it names.
TEST(EvaluatorTest, CandidatesKeepTheFirstLimitHit) {
  CompileOptions options;
  options.limits.max_path_visits = 50;
  auto p = Pattern::Compile("[x:items[*] = 1000] AND [x:v = 'w']", options);
  ASSERT_TRUE(p.ok());
  std::vector<Observation> obs(3);
  for (int i = 0; i < 3; ++i) {
    obs[i].SetId(StrCat("od-", i));
    const auto root = obs[i].AddSco("x", "0");
    obs[i].AddString(root, "v", "w");
    const auto list = obs[i].AddList(root, "items");
    for (int k = 0; k < (i == 1 ? 10 : 100); ++k) obs[i].AddInt(list, "", k);
  }
  pattern_internal::Candidates candidates((*p)->program());
  candidates.Add(2, obs[2]);
  EXPECT_FALSE(candidates.status().ok());
  candidates.Add(1, obs[1]);
  candidates.Add(0, obs[0]);
  auto r = candidates.Match();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status(), (*p)->Match(obs).status());
  candidates.Forget(0);
  candidates.Add(1, obs[1]);
  candidates.Add(3, obs[1]);
  auto again = candidates.Match();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->matched);  // no item is 1000
}

TEST(EvaluatorTest, SharedAcrossThreads) {
  auto pattern = Pattern::Compile(
      "([x:v LIKE 'a%' AND x:l[*] = 'b'] OR [y:v = 2]) FOLLOWEDBY [x:r_ref.v MATCHES '^c'] "
      "WITHIN 30 SECONDS");
  ASSERT_TRUE(pattern.ok());
  std::vector<std::vector<Observation>> sets;
  std::vector<bool> expected;
  Generator gen(99);
  for (int i = 0; i < 200; ++i) {
    sets.push_back(gen.Observations());
    auto r = (*pattern)->Match(Pointers(sets.back()));
    ASSERT_TRUE(r.ok());
    expected.push_back(r->matched);
  }
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 20; ++round) {
        for (size_t i = 0; i < sets.size(); ++i) {
          auto r = (*pattern)->Match(Pointers(sets[i]));
          if (!r.ok() || r->matched != expected[i]) ++mismatches;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(EvaluatorTest, PathVisitLimit) {
  Observation obs;
  const auto root = obs.AddSco("x", "0");
  const auto list = obs.AddList(root, "items");
  for (int i = 0; i < 100; ++i) obs.AddInt(list, "", i);
  CompileOptions options;
  options.limits.max_path_visits = 50;
  auto p = Pattern::Compile("[x:items[*] = 1000]", options);
  ASSERT_TRUE(p.ok());
  auto r = (*p)->Matches(obs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(View(r.status().message()).find("max_path_visits"), std::string_view::npos);
  options.limits.max_path_visits = 200;
  auto q = Pattern::Compile("[x:items[*] = 99]", options);
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(*(*q)->Matches(obs));
}

TEST(EvaluatorTest, ReferenceCyclesStayLinear) {
  // Every object refers to every object: a path of k `[*]` steps has n^k routes but only n
  // distinct values per step.
  Observation obs;
  constexpr int kObjects = 50;
  for (int i = 0; i < kObjects; ++i) {
    const auto root = obs.AddSco("x", StrCat(i));
    obs.AddInt(root, "id_num", i);
    const auto refs = obs.AddList(root, "all_refs");
    for (int j = 0; j < kObjects; ++j) obs.AddString(refs, "", StrCat(j));
  }
  std::string path = "x:all_refs[*]";
  for (int i = 0; i < 8; ++i) path += ".all_refs[*]";
  auto p = Pattern::Compile(StrCat("[", path, ".id_num = 49 AND x:id_num = 0]"));
  ASSERT_TRUE(p.ok());
  auto r = (*p)->Matches(obs);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(*r);
  auto q = Pattern::Compile(StrCat("[", path, ".id_num = 50]"));
  ASSERT_TRUE(q.ok());
  auto none = (*q)->Matches(obs);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(*none);
}

TEST(EvaluatorTest, BindingStepLimit) {
  std::vector<Observation> obs(30);
  for (int i = 0; i < 30; ++i) {
    obs[i].SetTimes(stix::Timestamp{kBase + 100 + i, 0, 0}, stix::Timestamp{kBase + 100 + i, 0, 0});
    obs[i].AddString(obs[i].AddSco("x", "0"), "v", "m");
  }
  obs.emplace_back();
  obs.back().AddString(obs.back().AddSco("x", "0"), "v", "early");
  CompileOptions options;
  options.limits.max_binding_steps = 5000;
  auto p = Pattern::Compile("([x:v = 'm'] REPEATS 6 TIMES) FOLLOWEDBY [x:v = 'early']", options);
  ASSERT_TRUE(p.ok());
  auto r = (*p)->Match(obs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(EvaluatorTest, EmptyInputNeverMatches) {
  auto p = Pattern::Compile("[x:v NOT = 1]");
  ASSERT_TRUE(p.ok());
  auto r = (*p)->Match(std::span<const Observation>());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->matched);
  Observation empty;
  EXPECT_FALSE(*(*p)->Matches(empty));
}

TEST(EvaluatorTest, Requirements) {
  auto p = Pattern::Compile(
      "[file:name = 'a' OR process:name = 'b'] AND [ipv4-addr:value = '10.0.0.1' AND "
      "ipv4-addr:value != '10.0.0.2']");
  ASSERT_TRUE(p.ok());
  const Requirements& r = (*p)->requirements();
  EXPECT_EQ(r.root_types, (std::vector<std::string>{"file", "ipv4-addr", "process"}));
  EXPECT_EQ(r.paths,
            (std::vector<std::string>{"file:name", "ipv4-addr:value", "process:name"}));
  EXPECT_FALSE(r.single_observation);
  EXPECT_TRUE((*Pattern::Compile("[a:b = 1] OR [c:d = 2] WITHIN 5 SECONDS"))
                  ->requirements()
                  .single_observation);
  EXPECT_TRUE((*Pattern::Compile("[a:b = 1] REPEATS 1 TIMES"))->requirements().single_observation);
  EXPECT_FALSE((*Pattern::Compile("[a:b = 1] REPEATS 2 TIMES"))->requirements().single_observation);
}

}  // namespace
}  // namespace kizuna::pattern
