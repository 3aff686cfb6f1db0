// Kizuna.
#include "kizuna/pattern/reference_evaluator.h"

#include <gtest/gtest.h>

#include "kizuna/base/strings.h"
#include "kizuna/pattern/observation_json.h"

namespace kizuna::pattern {
namespace {

std::vector<Observation> Make(int n, uint32_t count) {
  std::vector<Observation> out(n);
  for (int i = 0; i < n; ++i) {
    out[i].SetId(StrCat("od-", i));
    out[i].SetCount(count);
    stix::Timestamp t{1577836800 + i, 0, 0};
    out[i].SetTimes(t, t);
    out[i].AddString(out[i].AddSco("x", "0"), "v", i % 2 == 0 ? "even" : "odd");
  }
  return out;
}

std::vector<const Observation*> Pointers(const std::vector<Observation>& v) {
  std::vector<const Observation*> out;
  for (const Observation& o : v) out.push_back(&o);
  return out;
}

TEST(ReferenceEvaluatorTest, AgreesOnSimpleSets) {
  auto obs = Make(4, 1);
  auto ptrs = Pointers(obs);
  auto p = Pattern::Compile("[x:v = 'even'] FOLLOWEDBY [x:v = 'odd'] FOLLOWEDBY [x:v = 'even']");
  ASSERT_TRUE(p.ok());
  auto r = ReferenceMatch(**p, ptrs);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->matched);
  EXPECT_EQ(r->bound, (std::vector<size_t>{0, 1, 2}));
  auto q = Pattern::Compile("[x:v = 'odd'] REPEATS 3 TIMES");
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE(ReferenceMatch(**q, ptrs)->matched);
}

TEST(ReferenceEvaluatorTest, CountsExpandToInstances) {
  auto obs = Make(1, 3);
  auto ptrs = Pointers(obs);
  auto p = Pattern::Compile("[x:v = 'even'] REPEATS 3 TIMES");
  ASSERT_TRUE(p.ok());
  auto r = ReferenceMatch(**p, ptrs);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->matched);
  EXPECT_EQ(r->bound, (std::vector<size_t>{0}));
}

TEST(ReferenceEvaluatorTest, RefusesTooManyInstances) {
  auto obs = Make(2, 6000);
  auto ptrs = Pointers(obs);
  auto p = Pattern::Compile("[x:v = 'even']");
  ASSERT_TRUE(p.ok());
  auto r = ReferenceMatch(**p, ptrs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(ReferenceEvaluatorTest, StopsAtTheBindingBudget) {
  auto obs = Make(40, 1);
  auto ptrs = Pointers(obs);
  CompileOptions options;
  options.limits.max_binding_steps = 1000;
  auto p = Pattern::Compile("[x:v = 'even'] AND [x:v = 'even'] AND [x:v = 'even'] AND [x:v = 'zz']",
                            options);
  ASSERT_TRUE(p.ok());
  auto r = ReferenceMatch(**p, ptrs);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(View(r.status().message()).find("max_binding_steps"), std::string_view::npos);
}

}  // namespace
}  // namespace kizuna::pattern
