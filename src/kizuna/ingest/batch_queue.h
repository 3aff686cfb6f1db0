// Kizuna. Checked objects handed from the importer's checking thread to its writing thread.
#pragma once

// The importer (importer.h) reads and checks a document on one thread while the store
// writes the batch before on another. A CheckedBatch is what the checking thread made of the
// next `batch_objects` good objects: their JSON (views into the document), their indexes and
// offsets, and the rejections it made on the way, in document order. BatchQueue passes them
// over, at most `capacity` waiting, so the checker runs at most that far ahead of the store
// and memory stays bounded.
//
// Thread-safety: BatchQueue is safe to share between one producer and one consumer.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "kizuna/ingest/tally.h"
#include "kizuna/stix/object.h"

namespace kizuna::ingest {

struct CheckedBatch {
  std::vector<std::string_view> json;
  std::vector<stix::ObjectIndex> index;
  std::vector<size_t> offset;
  int64_t read = 0;                   // objects read for this batch, rejected ones included
  std::vector<Rejection> rejections;  // the checker's, in order, while it keeps them
  int64_t rejections_not_kept = 0;    // counted only: past the summary's max_kept
  bool last = false;                  // the document ends after this batch
  absl::Status error;                 // a broken container ends the document here
};

class BatchQueue {
 public:
  explicit BatchQueue(size_t capacity) : capacity_(capacity) {}

  // Waits for room and appends `batch`. Returns false, dropping it, once Close() was called.
  bool Push(CheckedBatch&& batch);
  // Waits for the next batch. REQUIRES: a batch with `last` set ends the stream; Pop is not
  // called after it.
  CheckedBatch Pop();
  // Tells the producer to stop: Push returns false from now on.
  void Close();
  bool closed() const;

 private:
  bool HasRoom() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return closed_ || batches_.size() < capacity_;
  }
  bool HasBatch() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !batches_.empty(); }

  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::deque<CheckedBatch> batches_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace kizuna::ingest
