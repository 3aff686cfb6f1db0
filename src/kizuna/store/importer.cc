// Kizuna.
#include "kizuna/store/importer.h"

#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::store {

Importer::Importer(Store& store, std::string collection_id, ImportOptions options)
    : store_(store), collection_id_(std::move(collection_id)), options_(std::move(options)) {}

void Importer::Reject(std::string where, std::string id, std::string reason) {
  ++summary_.rejected;
  if (summary_.rejections.size() < options_.max_rejections_kept) {
    summary_.rejections.push_back({std::move(where), std::move(id), std::move(reason)});
  }
}

absl::Status Importer::ImportFile(const std::string& path) {
  absl::StatusOr<simdjson::padded_string> text = ReadFile(path, options_.max_file_bytes);
  if (!text.ok()) return text.status();
  ++summary_.files;
  return ImportText(path == "-" ? "stdin" : path, *text, stix::Padding::kPresent);
}

absl::Status Importer::ImportText(std::string_view name, std::string_view text,
                                  stix::Padding padding) {
  summary_.bytes += static_cast<int64_t>(text.size());
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
      Reject(where(span.offset), "", span.error);
    } else {
      absl::StatusOr<stix::ObjectIndex> index = parser_.Parse(span.json, padding);
      if (!index.ok()) {
        Reject(where(span.offset), "", std::string(View(index.status().message())));
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
  std::vector<NewObject> batch;
  batch.reserve(pending_json_.size());
  for (size_t i = 0; i < pending_json_.size(); ++i) {
    batch.push_back({pending_json_[i], &pending_index_[i]});
  }
  KZ_ASSIGN_OR_RETURN(std::vector<AddResult> results, store_.AddObjects(collection_id_, batch));
  for (size_t i = 0; i < results.size(); ++i) {
    switch (results[i].outcome) {
      case AddOutcome::kAdded:
        ++summary_.added;
        break;
      case AddOutcome::kAlreadyPresent:
        ++summary_.already_present;
        break;
      case AddOutcome::kConflict:
        Reject(where(pending_offset_[i]), pending_index_[i].id,
               "a different object with the same id and version is already stored");
        break;
      case AddOutcome::kRefused:
        Reject(where(pending_offset_[i]), pending_index_[i].id, std::move(results[i].reason));
        break;
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


}  // namespace kizuna::store
