// Kizuna.
#include "kizuna/detect/compiled_set.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <filesystem>
#include <optional>
#include <system_error>
#include <utility>

#include "kizuna/base/digest.h"
#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/snapshot_file.h"
#include "kizuna/store/added_since.h"

namespace kizuna::detect {
namespace {

std::string Selection(const CompiledSetInputs& in) {
  std::string s = StrCat("reader=", in.reader, "\ncollections=");
  for (size_t i = 0; i < in.collection_ids.size(); ++i) {
    // Each id with its length: ids are not checked, so "a,b" and "a", "b" must differ.
    StrAppend(s, i == 0 ? "" : ",", in.collection_ids[i].size(), ":", in.collection_ids[i]);
  }
  StrAppend(s, "\nexercise=", in.exercise ? "yes" : "no", "\n");
  return s;
}

// The integer of line `key=...` of `stamp`; nullopt when there is none.
std::optional<int64_t> StampValue(std::string_view stamp, std::string_view key) {
  for (std::string_view rest = stamp; !rest.empty();) {
    const size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (line.size() <= key.size() + 1 || !line.starts_with(key) || line[key.size()] != '=')
      continue;
    int64_t value = 0;
    const char* last = line.data() + line.size();
    const auto [at, ec] = std::from_chars(line.data() + key.size() + 1, last, value);
    if (ec == std::errc() && at == last) return value;
  }
  return std::nullopt;
}

}  // namespace

absl::Status CheckCompiledSetStamp(store::Store& store, const CompiledSetInputs& now,
                                   std::string_view file_stamp) {
  CompiledSetInputs then = now;
  const std::optional<int64_t> added = StampValue(file_stamp, "store.last_date_added"),
                               deleted = StampValue(file_stamp, "store.entries_deleted");
  if (added) then.marks.last_added = *added;
  if (deleted) then.marks.deleted = *deleted;
  const std::string expected = CompiledSetStamp(then);
  if (file_stamp != expected) {
    return absl::FailedPreconditionError(SnapshotFile::StampDifference(file_stamp, expected));
  }
  if (then.marks.deleted != now.marks.deleted) {
    return absl::FailedPreconditionError(
        "store.entries_deleted differs (entries were deleted since)");
  }
  if (then.marks.last_added > now.marks.last_added) {
    return absl::FailedPreconditionError(
        "store.last_date_added differs (the store's last addition is older than the file's)");
  }
  if (then.marks.last_added == now.marks.last_added) return absl::OkStatus();
  for (const std::string& collection : now.collection_ids) {
    KZ_ASSIGN_OR_RETURN(const bool entered,
                        store::AddedSince(store, collection, then.marks.last_added, {"indicator"}));
    if (entered) {
      return absl::FailedPreconditionError(
          StrCat("store.last_date_added differs (an indicator entered collection ", collection,
                 " since)"));
    }
  }
  return absl::OkStatus();
}

std::string CompiledSetStamp(const CompiledSetInputs& in) {
  std::string s = Selection(in);
  StrAppend(s, "store.id=", in.store_id, "\n");
  StrAppend(s, "store.last_date_added=", in.marks.last_added, "\n");
  StrAppend(s, "store.entries_deleted=", in.marks.deleted, "\n");
  StrAppend(s, "allowlists=", in.stored_allowlists ? "stored+" : "", "given;categories=");
  for (size_t i = 0; i < in.allowlist_categories.size(); ++i) {
    StrAppend(s, i == 0 ? "" : ",", in.allowlist_categories[i]);
  }
  StrAppend(s, ";digest=", in.allowlist_digest, "\n");
  return s;
}

std::string CompiledSetPath(std::string_view dir, const CompiledSetInputs& in) {
  const Sha256Digest d = Sha256(Selection(in));
  return StrCat(dir, "/",
                HexEncode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size())),
                ".kzset");
}

absl::Status MakeCompiledSetDir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return FileError(dir, errno);
  return absl::OkStatus();
}

absl::Status PruneCompiledSets(const std::string& dir, size_t keep) {
  std::error_code ec;
  std::vector<std::pair<std::filesystem::file_time_type, std::filesystem::path>> files;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    std::error_code time_ec;
    const auto written = e.last_write_time(time_ec);
    if (time_ec) continue;  // removed meanwhile
    if (name.ends_with(".kzset")) {
      files.emplace_back(written, e.path());
    } else if (name.ends_with(".new") &&
               written < std::filesystem::file_time_type::clock::now() - std::chrono::hours(1)) {
      std::filesystem::remove(e.path(), time_ec);  // a write that did not finish
    }
  }
  if (ec) return absl::InternalError(StrCat("cannot list ", dir, ": ", ec.message()));
  if (files.size() <= keep) return absl::OkStatus();
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t i = keep; i < files.size(); ++i) {
    if (!std::filesystem::remove(files[i].second, ec) && ec) {
      return absl::InternalError(
          StrCat("cannot remove ", files[i].second.string(), ": ", ec.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace kizuna::detect
