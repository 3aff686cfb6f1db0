// Kizuna.
#include "kizuna/ingest/importer.h"

#include <memory>
#include <thread>

#include "kizuna/base/input_file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::ingest {

Importer::Importer(store::Store& store, std::string collection_id, ImportOptions options)
    : store_(store),
      collection_id_(std::move(collection_id)),
      options_(std::move(options)),
      checker_(options_.pattern_limits) {
  summary_.max_kept = options_.max_rejections_kept;
}

absl::Status Importer::ImportFile(const std::string& path) {
  // Mapped, not copied (gzip and standard input are read into memory).
  KZ_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> input, InputFile::Open(path, options_.max_file_bytes));
  CountFile(input->text().size());
  return ImportText(path == "-" ? "stdin" : path, input->text(), stix::Padding::kPresent);
}

absl::Status Importer::ImportText(std::string_view name, std::string_view text,
                                  stix::Padding padding) {
  // The checker reads and checks on a thread of its own while this one writes the batch
  // before to the store; rejections and commits are counted here, in document order.
  BatchQueue queue(kBatchesAhead);
  std::thread checker([&] { CheckDocument(name, text, padding, queue); });
  stix::DocumentReader locator(text, {}, options_.format);  // only for Locate()
  auto where = [&](size_t offset) {
    auto [line, column] = locator.Locate(offset);
    return StrCat(name, ":", line, ":", column);
  };
  absl::Status status;
  for (;;) {
    CheckedBatch batch = queue.Pop();
    for (Rejection& r : batch.rejections) {
      summary_.Reject(std::move(r.where), std::move(r.id), std::move(r.reason));
    }
    summary_.rejected += batch.rejections_not_kept;
    const int64_t before = summary_.read;
    summary_.read += batch.read;
    if (options_.on_progress && options_.progress_every > 0 &&
        summary_.read / options_.progress_every > before / options_.progress_every) {
      options_.on_progress(summary_);
    }
    status = Flush(batch, where);
    if (status.ok() && !batch.error.ok()) status = Annotate(batch.error, StrCat(name, ": "));
    if (!status.ok() || batch.last) break;
  }
  queue.Close();  // a store error ends the checker too
  checker.join();
  return status;
}

void Importer::CheckDocument(std::string_view name, std::string_view text, stix::Padding padding,
                             BatchQueue& queue) {
  stix::DocumentReader reader(text, {}, options_.format);
  size_t kept = 0;
  CheckedBatch batch;
  auto reject = [&](size_t offset, std::string_view id, std::string_view reason) {
    if (kept >= options_.max_rejections_kept) {
      ++batch.rejections_not_kept;
      return;
    }
    ++kept;
    auto [line, column] = reader.Locate(offset);
    batch.rejections.push_back(
        {StrCat(name, ":", line, ":", column), std::string(id), std::string(reason)});
  };
  stix::ObjectSpan span;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(span);
    if (!more.ok() || !*more) {
      batch.last = true;
      if (!more.ok()) batch.error = more.status();
      queue.Push(std::move(batch));
      return;
    }
    ++batch.read;
    if (!span.error.empty()) {
      reject(span.offset, "", span.error);
      continue;
    }
    absl::StatusOr<stix::ObjectIndex> index = checker_.Check(span.json, padding);
    if (!index.ok()) {
      reject(span.offset, checker_.last_id(), View(index.status().message()));
      continue;
    }
    batch.json.push_back(span.json);
    batch.index.push_back(std::move(*index));
    batch.offset.push_back(span.offset);
    if (batch.json.size() >= options_.batch_objects) {
      if (!queue.Push(std::move(batch))) return;  // the writer stopped
      batch = CheckedBatch();
    }
  }
}

absl::Status Importer::Flush(const CheckedBatch& batch,
                             const std::function<std::string(size_t)>& where) {
  if (batch.json.empty()) return absl::OkStatus();
  std::vector<store::NewObject> objects;
  objects.reserve(batch.json.size());
  for (size_t i = 0; i < batch.json.size(); ++i) objects.push_back({batch.json[i], &batch.index[i]});
  std::vector<bool> held;
  if (options_.count_updated) {
    held.reserve(batch.index.size());
    for (const stix::ObjectIndex& index : batch.index) {
      absl::StatusOr<std::string> found = store_.FindObject(index.id);
      if (!found.ok() && !absl::IsNotFound(found.status())) return found.status();
      held.push_back(found.ok());
    }
  }
  std::vector<store::AddResult> results;
  if (options_.writer.kind == store::WriterKind::kOperator) {
    KZ_ASSIGN_OR_RETURN(results, store_.AddObjects(collection_id_, objects));
  } else {
    auto no_records = [](std::span<const store::AddResult>) -> absl::StatusOr<store::AddRecords> {
      return store::AddRecords{};
    };
    KZ_ASSIGN_OR_RETURN(results, store_.AddObjectsRecorded(collection_id_, objects, options_.writer, no_records));
  }
  for (size_t i = 0; i < results.size(); ++i) {
    if (!held.empty() && held[i] && results[i].outcome == store::AddOutcome::kAdded) ++summary_.updated;
    if (!summary_.Count(results[i])) {
      summary_.Reject(where(batch.offset[i]), batch.index[i].id, std::string(RejectionReason(results[i])));
    }
  }
  committed_ += static_cast<int64_t>(results.size());
  if (options_.on_commit) {
    options_.on_commit({static_cast<int64_t>(results.size()), committed_, batch.index.back().id});
  }
  return absl::OkStatus();
}

}  // namespace kizuna::ingest
