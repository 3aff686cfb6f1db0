// Kizuna.
#include "kizuna/taxii/auth/touch_queue.h"

#include <gtest/gtest.h>

#include "auth_test_util.h"

namespace kizuna::taxii {
namespace {

class TouchQueueTest : public AuthTest {
 protected:
  std::optional<int64_t> LastUsed(const std::string& token) {
    absl::StatusOr<std::vector<store::Token>> tokens = directory().ListTokens("");
    EXPECT_TRUE(tokens.ok()) << tokens.status();
    if (!tokens.ok()) return std::nullopt;
    for (const store::Token& t : *tokens) {
      if (t.id == IdOf(token)) return t.last_used_us;
    }
    return std::nullopt;
  }
};

TEST_F(TouchQueueTest, WritesTheLatestTimeOfEachToken) {
  std::string alice = Issue("alice"), bob = Issue("bob");
  TouchQueue touches(directory(), 10);
  touches.Touch(IdOf(alice), kDirectoryStart + 5);
  touches.Touch(IdOf(alice), kDirectoryStart + 9);
  touches.Touch(IdOf(alice), kDirectoryStart + 7);
  touches.Touch(IdOf(bob), kDirectoryStart + 3);
  touches.Flush();
  EXPECT_EQ(LastUsed(alice), kDirectoryStart + 9);
  EXPECT_EQ(LastUsed(bob), kDirectoryStart + 3);
}

TEST_F(TouchQueueTest, TheDestructorWritesWhatIsPending) {
  std::string alice = Issue("alice");
  {
    TouchQueue touches(directory(), 10);
    touches.Touch(IdOf(alice), kDirectoryStart + 1);
  }
  EXPECT_EQ(LastUsed(alice), kDirectoryStart + 1);
}

TEST_F(TouchQueueTest, UnknownIdsAndFailuresAreDropped) {
  TouchQueue touches(directory(), 1);
  touches.Touch("00000000000000ff", kDirectoryStart);
  touches.Flush();
  std::string alice = Issue("alice");
  touches.Touch(IdOf(alice), kDirectoryStart + 2);
  touches.Flush();
  EXPECT_EQ(LastUsed(alice), kDirectoryStart + 2);
}

}  // namespace
}  // namespace kizuna::taxii
