// Kizuna.
#include "kizuna/ingest/batch_queue.h"

#include <gtest/gtest.h>

#include <thread>

namespace kizuna::ingest {
namespace {

CheckedBatch Batch(int64_t read, bool last = false) {
  CheckedBatch b;
  b.read = read;
  b.last = last;
  return b;
}

TEST(BatchQueueTest, BatchesComeOutInOrderAcrossThreads) {
  BatchQueue queue(2);
  std::thread producer([&] {
    for (int64_t i = 1; i <= 100; ++i) ASSERT_TRUE(queue.Push(Batch(i, i == 100)));
  });
  int64_t expected = 1;
  for (;;) {
    CheckedBatch b = queue.Pop();
    EXPECT_EQ(b.read, expected++);
    if (b.last) break;
  }
  producer.join();
  EXPECT_EQ(expected, 101);
}

// The consumer stops (a store error): a producer waiting for room is released, and every
// later Push is refused, so the checking thread ends.
TEST(BatchQueueTest, CloseReleasesAWaitingProducer) {
  BatchQueue queue(1);
  int64_t pushed = 0;
  std::thread producer([&] {
    while (queue.Push(Batch(1))) ++pushed;
  });
  EXPECT_EQ(queue.Pop().read, 1);
  queue.Close();
  producer.join();
  EXPECT_TRUE(queue.closed());
  EXPECT_GE(pushed, 1);
  EXPECT_FALSE(queue.Push(Batch(1)));
}

}  // namespace
}  // namespace kizuna::ingest
