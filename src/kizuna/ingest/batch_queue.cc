// Kizuna.
#include "kizuna/ingest/batch_queue.h"

namespace kizuna::ingest {

bool BatchQueue::Push(CheckedBatch&& batch) {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(this, &BatchQueue::HasRoom));
  if (closed_) return false;
  batches_.push_back(std::move(batch));
  return true;
}

CheckedBatch BatchQueue::Pop() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(this, &BatchQueue::HasBatch));
  CheckedBatch batch = std::move(batches_.front());
  batches_.pop_front();
  return batch;
}

void BatchQueue::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  batches_.clear();
}

bool BatchQueue::closed() const {
  absl::MutexLock lock(&mu_);
  return closed_;
}

}  // namespace kizuna::ingest
