// Kizuna.
#include "kizuna/api/compute_gate.h"

#include <gtest/gtest.h>

#include <optional>
#include <utility>

namespace kizuna::api {
namespace {

using Refusal = ComputeGate::Refusal;

TEST(ComputeGateTest, OneAtATimePerUser) {
  ComputeGate gate(2);
  {
    ComputeGate::Pass alice = gate.Enter("alice");
    EXPECT_EQ(alice.refusal(), Refusal::kNone);
    EXPECT_EQ(gate.Enter("alice").refusal(), Refusal::kUserBusy);
    EXPECT_EQ(gate.running(), 1u);
  }
  EXPECT_EQ(gate.running(), 0u);
  EXPECT_EQ(gate.Enter("alice").refusal(), Refusal::kNone);
}

TEST(ComputeGateTest, NodeLimitAcrossUsers) {
  ComputeGate gate(2);
  ComputeGate::Pass a = gate.Enter("a");
  std::optional<ComputeGate::Pass> b(gate.Enter("b"));
  EXPECT_EQ(b->refusal(), Refusal::kNone);
  EXPECT_EQ(gate.Enter("c").refusal(), Refusal::kNodeBusy);
  EXPECT_EQ(gate.Enter("a").refusal(), Refusal::kUserBusy) << "the user's own refusal comes first";
  b.reset();
  EXPECT_EQ(gate.Enter("c").refusal(), Refusal::kNone);
}

TEST(ComputeGateTest, ARefusedOrMovedPassReleasesNothingTwice) {
  ComputeGate gate(1);
  ComputeGate::Pass a = gate.Enter("a");
  { ComputeGate::Pass refused = gate.Enter("a"); }  // refused: its end must not free a's slot
  EXPECT_EQ(gate.running(), 1u);
  {
    ComputeGate::Pass moved(std::move(a));
    EXPECT_EQ(gate.running(), 1u);
  }
  EXPECT_EQ(gate.running(), 0u);
}

}  // namespace
}  // namespace kizuna::api
