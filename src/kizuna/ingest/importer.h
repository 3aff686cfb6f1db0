// Kizuna. Bulk import of STIX documents into a collection.
#pragma once

// Importer reads documents (bundle, TAXII envelope, JSON list, JSON lines, single object),
// checks every object (ObjectChecker: parse, index, validate, STIX patterns) and adds the
// good ones to one collection in transactions of `batch_objects`, as the operator
// (`kizuna import`, converted feeds, sightings). A bad object is rejected alone, with where it was and
// why; objects around it still go in. Each committed batch is durable before the
// on_commit callback runs, so what a caller reports as committed survives a crash. Each
// document ends with a commit of its last batch.
//
//   Importer importer(store, collection_id, options);
//   KZ_RETURN_IF_ERROR(importer.ImportFile("attack.json"));
//   const ImportSummary& s = importer.summary();
//
// Each ImportText reads and checks on a thread of its own while the calling thread writes
// the batch before: the store's work overlaps parsing and validation, and at most
// kBatchesAhead checked batches wait for it. Callbacks run on the calling thread.
//
// Thread-safety: one thread per Importer; the Store may be shared.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "kizuna/base/limits.h"
#include "kizuna/ingest/batch_queue.h"
#include "kizuna/ingest/object_checker.h"
#include "kizuna/ingest/tally.h"
#include "kizuna/stix/reader.h"
#include "kizuna/store/store.h"

namespace kizuna::ingest {

struct ImportSummary : Tally {
  int64_t files = 0;
  int64_t bytes = 0;
  // Of `added`, the new versions of objects the node held before (any collection); counted
  // only with ImportOptions::count_updated.
  int64_t updated = 0;
};

struct CommittedBatch {
  int64_t objects = 0;         // objects in this batch
  int64_t total_committed = 0;  // objects committed so far, in all batches
  std::string last_id;         // id of the batch's last object
};

struct ImportOptions {
  // Objects per transaction. Larger batches amortise the commit's fsync; a crash loses at
  // most the batch in flight.
  size_t batch_objects = limits::kImportBatchObjects;
  // Rejections kept with their reasons in the summary (all are counted).
  size_t max_rejections_kept = 1000;
  // Limits on the patterns of indicators.
  pattern::PatternLimits pattern_limits;
  // The document format; kAuto recognises it.
  stix::DocumentFormat format = stix::DocumentFormat::kAuto;
  // Largest input file accepted.
  uint64_t max_file_bytes = limits::kMaxDocumentBytes;
  // Who writes: by default the operator (any creator). A user (a scheduled feed writing as
  // its user) is held to the store's rules for users (store.h, Writer): what it may not
  // write is rejected as refused. The strings it views must outlive the importer.
  store::Writer writer;
  // Counts, in the summary's `updated`, the added versions of objects the node held before
  // the batch (one look-up per object).
  bool count_updated = false;
  // Called after each committed batch (on the importing thread).
  std::function<void(const CommittedBatch&)> on_commit;
  // Called about every `progress_every` objects read.
  std::function<void(const ImportSummary&)> on_progress;
  int64_t progress_every = 10000;
};

class Importer {
 public:
  // `store` must outlive the importer. REQUIRES: `collection_id` names an existing collection.
  Importer(store::Store& store, std::string collection_id, ImportOptions options = {});

  // Reads and imports the file at `path` ("-" for standard input; gzip is undone). Returns
  // an error only when the file cannot be read, its container is malformed (objects before
  // the error are kept), or the store fails; invalid objects are counted in the summary.
  absl::Status ImportFile(const std::string& path);

  // Imports `text`, named `name` in rejections. `text` must be padded for simdjson when
  // `padding` says so.
  absl::Status ImportText(std::string_view name, std::string_view text, stix::Padding padding);

  // Counts one input file of `bytes` that the caller read and converted before importing it
  // (a feed: ImportFeed); ImportFile counts its own.
  void CountFile(size_t bytes) {
    ++summary_.files;
    summary_.bytes += static_cast<int64_t>(bytes);
  }
  // Counts a rejection made before the importer saw an object (a feed value no pattern fits).
  void Reject(std::string where, std::string id, std::string reason) {
    summary_.Reject(std::move(where), std::move(id), std::move(reason));
  }

  const ImportSummary& summary() const { return summary_; }
  store::Store& store() const { return store_; }
  const std::string& collection_id() const { return collection_id_; }

 private:
  // Batches checked ahead of the one the store is writing.
  static constexpr size_t kBatchesAhead = 2;

  // Runs on the checking thread: reads `text`, checks each object and hands the good ones
  // over in batches of options_.batch_objects, with the rejections made on the way.
  void CheckDocument(std::string_view name, std::string_view text, stix::Padding padding,
                     BatchQueue& queue);
  // Commits `batch`; `where` names the place of an object's offset.
  absl::Status Flush(const CheckedBatch& batch, const std::function<std::string(size_t)>& where);

  store::Store& store_;
  const std::string collection_id_;
  const ImportOptions options_;
  ObjectChecker checker_;  // used by the checking thread only
  ImportSummary summary_;
  int64_t committed_ = 0;
};

}  // namespace kizuna::ingest
