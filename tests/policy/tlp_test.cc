// Kizuna.
#include "kizuna/policy/tlp.h"

#include <gtest/gtest.h>

namespace kizuna::policy {
namespace {

TEST(TlpTest, BothGenerationsOfIds) {
  EXPECT_EQ(PredefinedTlp("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"), TlpLevel::kClear);
  EXPECT_EQ(PredefinedTlp("marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"), TlpLevel::kClear);
  EXPECT_EQ(PredefinedTlp("marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"), TlpLevel::kAmberStrict);
  EXPECT_EQ(PredefinedTlp("marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"), TlpLevel::kAmber);
  EXPECT_FALSE(PredefinedTlp("marking-definition--00000000-0000-4000-8000-000000000000"));
}

TEST(TlpTest, NamesRoundTrip) {
  for (TlpLevel l : {TlpLevel::kClear, TlpLevel::kGreen, TlpLevel::kAmber, TlpLevel::kAmberStrict, TlpLevel::kRed}) {
    EXPECT_EQ(ParseTlpName(TlpName(l)), l);
    EXPECT_EQ(PredefinedTlp(Tlp2MarkingId(l)), l);
  }
  EXPECT_EQ(ParseTlpName("WHITE"), TlpLevel::kClear);
  EXPECT_FALSE(ParseTlpName("amber strict"));
  EXPECT_FALSE(ParseTlpName(""));
}

}  // namespace
}  // namespace kizuna::policy
