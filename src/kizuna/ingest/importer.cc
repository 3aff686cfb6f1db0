// Kizuna.
#include "kizuna/ingest/importer.h"

#include "kizuna/base/file.h"
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
  absl::StatusOr<simdjson::padded_string> text = ReadFile(path, options_.max_file_bytes);
  if (!text.ok()) return text.status();
  CountFile(text->size());
  return ImportText(path == "-" ? "stdin" : path, *text, stix::Padding::kPresent);
}

absl::Status Importer::ImportText(std::string_view name, std::string_view text,
                                  stix::Padding padding) {
  stix::DocumentReader reader(text, {}, options_.format);
  auto where = [&](size_t offset) {
    auto [line, column] = reader.Locate(offset);
    return StrCat(name, ":", line, ":", column);
  };
  stix::ObjectSpan span;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(span);
    if (!more.ok()) {
      // Keep what came before the broken part of the container.
      KZ_RETURN_IF_ERROR(Flush(where));
      return Annotate(more.status(), StrCat(name, ": "));
    }
    if (!*more) break;
    ++summary_.read;
    if (!span.error.empty()) {
      summary_.Reject(where(span.offset), "", span.error);
    } else {
      absl::StatusOr<stix::ObjectIndex> index = checker_.Check(span.json, padding);
      if (!index.ok()) {
        summary_.Reject(where(span.offset), std::string(checker_.last_id()), std::string(View(index.status().message())));
      } else {
        pending_json_.emplace_back(span.json);
        pending_index_.push_back(std::move(*index));
        pending_offset_.push_back(span.offset);
        if (pending_json_.size() >= options_.batch_objects) KZ_RETURN_IF_ERROR(Flush(where));
      }
    }
    if (options_.on_progress && summary_.read % options_.progress_every == 0) {
      options_.on_progress(summary_);
    }
  }
  return Flush(where);
}

absl::Status Importer::Flush(const std::function<std::string(size_t)>& where) {
  if (pending_json_.empty()) return absl::OkStatus();
  std::vector<store::NewObject> batch;
  batch.reserve(pending_json_.size());
  for (size_t i = 0; i < pending_json_.size(); ++i) {
    batch.push_back({pending_json_[i], &pending_index_[i]});
  }
  KZ_ASSIGN_OR_RETURN(std::vector<store::AddResult> results, store_.AddObjects(collection_id_, batch));
  for (size_t i = 0; i < results.size(); ++i) {
    if (!summary_.Count(results[i])) {
      summary_.Reject(where(pending_offset_[i]), pending_index_[i].id, std::string(RejectionReason(results[i])));
    }
  }
  committed_ += static_cast<int64_t>(results.size());
  if (options_.on_commit) {
    options_.on_commit({static_cast<int64_t>(results.size()), committed_, pending_index_.back().id});
  }
  pending_json_.clear();
  pending_index_.clear();
  pending_offset_.clear();
  return absl::OkStatus();
}

}  // namespace kizuna::ingest
